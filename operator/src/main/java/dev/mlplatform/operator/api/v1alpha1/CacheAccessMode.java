package dev.mlplatform.operator.api.v1alpha1;

/**
 * How the model cache's PersistentVolumeClaim may be mounted. ReadOnlyMany and ReadWriteOncePod are
 * not offered: the fetch init container writes, and every pod of the ModelServer mounts the claim.
 */
public enum CacheAccessMode {
  /** Pods on one node share the cache; most storage classes support only this. */
  ReadWriteOnce,
  /** Pods on any node share the cache (NFS, CephFS, EFS, Filestore and the like). */
  ReadWriteMany
}
