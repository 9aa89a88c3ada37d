package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A PersistentVolumeClaim that caches the downloaded model for every pod of the ModelServer, so the
 * model is fetched once rather than once per pod start. A claim's storage class and access mode
 * cannot change once it exists and its size can only grow, so the schema refuses other changes
 * (transition rules) rather than letting the operator fail to apply them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "has(self.storageClassName) == has(oldSelf.storageClassName)"
            + " && (!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)",
    message =
        "model.cache.storageClassName cannot change: a PersistentVolumeClaim's storage class is"
            + " immutable (remove model.cache, apply, then add it again to start a new cache)")
@ValidationRule(
    value =
        "!has(oldSelf.accessMode) || !has(self.accessMode) || self.accessMode == oldSelf.accessMode",
    message =
        "model.cache.accessMode cannot change: a PersistentVolumeClaim's access modes are"
            + " immutable (remove model.cache, apply, then add it again to start a new cache)")
@ValidationRule(
    value =
        "!has(oldSelf.size) || !has(self.size) || !isQuantity(self.size) || !isQuantity(oldSelf.size)"
            + " || quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0",
    message =
        "model.cache.size cannot shrink: a PersistentVolumeClaim only grows (and only where its"
            + " storage class allows volume expansion)")
public class ModelCacheSpec {

  public static final String DEFAULT_SIZE = "10Gi";
  public static final CacheAccessMode DEFAULT_ACCESS_MODE = CacheAccessMode.ReadWriteOnce;

  /** A Kubernetes quantity of bytes: digits with an optional decimal SI or binary suffix. */
  public static final String SIZE_PATTERN = "^[0-9]+(\\.[0-9]+)?(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$";

  /** A DNS subdomain, as StorageClass names are. */
  public static final String STORAGE_CLASS_PATTERN = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

  /** Storage requested for the claim. */
  @Pattern(SIZE_PATTERN)
  @Size(max = 20)
  @Default(DEFAULT_SIZE)
  @ValidationRule(
      value = "isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))",
      message = "model.cache.size must be a quantity larger than zero, e.g. 10Gi")
  @JsonPropertyDescription(
      "Storage the cache claim requests, e.g. 10Gi (the default): room for the model files of"
          + " every revision fetched into it. May grow where the storage class allows volume"
          + " expansion; never shrinks.")
  private String size;

  /** Storage class of the claim. */
  @Pattern(STORAGE_CLASS_PATTERN)
  @JsonPropertyDescription(
      "StorageClass of the cache claim. Default: the cluster's default StorageClass. Immutable.")
  private String storageClassName;

  /** Access mode of the claim. */
  @Default("ReadWriteOnce")
  @JsonPropertyDescription(
      "ReadWriteOnce (default; pods must share a node to share the cache) or ReadWriteMany (pods"
          + " on any node; needs a storage class that offers it). Immutable.")
  private CacheAccessMode accessMode;

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }

  public CacheAccessMode getAccessMode() {
    return accessMode;
  }

  public void setAccessMode(CacheAccessMode accessMode) {
    this.accessMode = accessMode;
  }
}
