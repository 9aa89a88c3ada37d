package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/**
 * Builds the model cache claim {@code NAME-model-cache} (spec.model.cache). Owned by the
 * ModelServer, so deleting it deletes the cache once no pod mounts it. Only the storage request may
 * change later (growing it, where the storage class allows expansion); the schema refuses the
 * changes a claim cannot take.
 */
public final class PersistentVolumeClaimDesiredState {

  private PersistentVolumeClaimDesiredState() {}

  /**
   * The claim. Built with the defaults when spec.model.cache is absent: JOSDK asks for the desired
   * state of a dependent it is about to delete too, to find it by name.
   */
  public static PersistentVolumeClaim build(ModelServer owner, ResolvedSpec spec) {
    ModelCache cache = spec.modelCache().orElseGet(ModelCache::defaults);
    return new PersistentVolumeClaimBuilder()
        .withMetadata(Owners.childMetadata(owner, spec, ModelCache.claimName(spec.name())))
        .withNewSpec()
        .withAccessModes(List.of(cache.accessMode().name()))
        .withStorageClassName(cache.storageClassName())
        .withNewResources()
        .addToRequests("storage", new Quantity(cache.size()))
        .endResources()
        .endSpec()
        .build();
  }
}
