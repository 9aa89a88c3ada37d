package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.CacheAccessMode;
import dev.mlplatform.operator.api.v1alpha1.ModelCacheSpec;
import java.util.Optional;

/**
 * spec.model.cache with its defaults: the PersistentVolumeClaim {@code NAME-model-cache} that the
 * fetch init container fills and every pod of the ModelServer mounts.
 *
 * @param storageClassName {@code null} for the cluster's default StorageClass
 */
public record ModelCache(String size, String storageClassName, CacheAccessMode accessMode) {

  public static final String SUFFIX = "-model-cache";

  /** The claim's name for the ModelServer {@code name}. */
  public static String claimName(String name) {
    return name + SUFFIX;
  }

  /** What an empty spec.model.cache section asks for. */
  public static ModelCache defaults() {
    return of(new ModelCacheSpec()).orElseThrow();
  }

  /** The cache spec.model.cache asks for, or empty for the pod-local emptyDir. */
  static Optional<ModelCache> of(ModelCacheSpec spec) {
    return Optional.ofNullable(spec)
        .map(
            c ->
                new ModelCache(
                    Optional.ofNullable(c.getSize()).orElse(ModelCacheSpec.DEFAULT_SIZE),
                    c.getStorageClassName(),
                    Optional.ofNullable(c.getAccessMode())
                        .orElse(ModelCacheSpec.DEFAULT_ACCESS_MODE)));
  }
}
