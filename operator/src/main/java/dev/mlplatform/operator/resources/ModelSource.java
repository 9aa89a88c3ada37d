package dev.mlplatform.operator.resources;

import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.operator.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.Optional;

/**
 * Where a ModelServer's model comes from, as the pods need it: the URI the server is given, whether
 * an init container must download it into the cache first ({@code hf://}, an archive URL, or an id
 * that is not bundled), and the read-only volume a {@code pvc://CLAIM/PATH} model is mounted from.
 *
 * @param uri {@code spec.model.uri} as written, or {@code null}
 * @param tokenSecret the Secret key holding a Hugging Face token, or {@code null}
 */
public record ModelSource(String id, String uri, SecretKeyRef tokenSecret) {
  /** Where a {@code pvc://} claim is mounted in the server's container. */
  public static final String VOLUME_ROOT = "/mnt/models";

  public static final String VOLUME = "model-volume";

  /** The URI the server reads ({@code MODEL_URI}), or {@code null} to let it use its default. */
  public String serverUri() {
    return claim().map(c -> "file://" + VOLUME_ROOT + "/" + c + "/" + path()).orElse(uri);
  }

  /** Whether the pod must download the model before the server starts. */
  public boolean downloads() {
    return ModelUris.downloads(id, uri);
  }

  /** The PersistentVolumeClaim of a {@code pvc://CLAIM/PATH} model. */
  public Optional<String> claim() {
    if (uri == null || !uri.startsWith(ModelUris.VOLUME)) {
      return Optional.empty();
    }
    String rest = uri.substring(ModelUris.VOLUME.length());
    int slash = rest.indexOf('/');
    return Optional.of(slash < 0 ? rest : rest.substring(0, slash));
  }

  private String path() {
    String rest = uri.substring(ModelUris.VOLUME.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? "" : rest.substring(slash + 1);
  }

  /** The claim as a read-only volume (the model is data; the server never writes to it). */
  public Optional<Volume> volume() {
    return claim()
        .map(
            claim ->
                new VolumeBuilder()
                    .withName(VOLUME)
                    .withNewPersistentVolumeClaim(claim, true)
                    .build());
  }

  public Optional<VolumeMount> volumeMount() {
    return claim()
        .map(
            claim ->
                new VolumeMountBuilder()
                    .withName(VOLUME)
                    .withMountPath(VOLUME_ROOT + "/" + claim)
                    .withReadOnly(true)
                    .build());
  }
}
