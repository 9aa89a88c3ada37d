package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.contract.ServerLimits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The model a ModelServer serves. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = ModelUris.ID_WITHOUT_URI_RULE,
    message =
        "model.uri is required when model.id is neither a bundled model nor a Hugging Face"
            + " repository id (ORG/NAME)")
public class ModelSpec {

  public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 256;
  public static final boolean DEFAULT_NORMALIZE = true;
  public static final Pooling DEFAULT_POOLING = Pooling.mean;
  public static final int MAX_MAX_SEQUENCE_LENGTH = ServerLimits.MAX_SEQUENCE_LENGTH_MAX;

  /** Model id, as the model hub names it. */
  @Required
  @Pattern("^\\S+$")
  @JsonPropertyDescription(
      "Model id, e.g. sentence-transformers/all-MiniLM-L6-v2. Reported by /info and /v1/models.")
  private String id;

  /** Where the model files come from. */
  @Pattern(ModelUris.PATTERN)
  @JsonPropertyDescription(
      "Where the model files come from: "
          + ModelUris.FORMS
          + ". Default: the model bundled in the server image for that id, else hf://<id>.")
  private String uri;

  /** A Hugging Face token for private or gated repositories. */
  @JsonPropertyDescription(
      "Secret key holding a Hugging Face access token, for private or gated hf:// repositories."
          + " Only the init container that downloads the model sees it.")
  private SecretKeyRef tokenSecretRef;

  /** A PersistentVolumeClaim caching the model for all pods; absent: a pod-local emptyDir. */
  @JsonPropertyDescription(
      "A PersistentVolumeClaim (NAME-model-cache) caching the downloaded model for every pod of"
          + " this ModelServer, so a pod start with the pinned revision already cached skips the"
          + " download. Absent: each pod downloads into its own emptyDir.")
  private ModelCacheSpec cache;

  /** Inference engine. */
  @JsonPropertyDescription(
      "Inference engine: OnnxRuntime or PyTorch. Default: inferred from files.")
  private Engine engine;

  /** Tokens per input before truncation. */
  @Min(ServerLimits.MAX_SEQUENCE_LENGTH_MIN)
  @Max(MAX_MAX_SEQUENCE_LENGTH)
  @Default("256")
  @JsonPropertyDescription("Tokens per input; longer inputs are truncated. 1..8192, default 256.")
  private Integer maxSequenceLength;

  /** L2-normalise embeddings. */
  @Default("true")
  @JsonPropertyDescription("L2-normalise embeddings. Default true.")
  private Boolean normalize;

  /** Token pooling. */
  @Default("mean")
  @JsonPropertyDescription("How token vectors become one embedding: mean or cls. Default mean.")
  private Pooling pooling;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public SecretKeyRef getTokenSecretRef() {
    return tokenSecretRef;
  }

  public void setTokenSecretRef(SecretKeyRef tokenSecretRef) {
    this.tokenSecretRef = tokenSecretRef;
  }

  public ModelCacheSpec getCache() {
    return cache;
  }

  public void setCache(ModelCacheSpec cache) {
    this.cache = cache;
  }

  public Engine getEngine() {
    return engine;
  }

  public void setEngine(Engine engine) {
    this.engine = engine;
  }

  public Integer getMaxSequenceLength() {
    return maxSequenceLength;
  }

  public void setMaxSequenceLength(Integer maxSequenceLength) {
    this.maxSequenceLength = maxSequenceLength;
  }

  public Boolean getNormalize() {
    return normalize;
  }

  public void setNormalize(Boolean normalize) {
    this.normalize = normalize;
  }

  public Pooling getPooling() {
    return pooling;
  }

  public void setPooling(Pooling pooling) {
    this.pooling = pooling;
  }
}
