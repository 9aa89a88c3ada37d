package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mlplatform.contract.ServerLimits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Dynamic batching limits of the model server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchingSpec {

  public static final int DEFAULT_MAX_BATCH_SIZE = 32;
  public static final int DEFAULT_MAX_BATCH_DELAY_MILLIS = 5;
  public static final int DEFAULT_MAX_QUEUE_SIZE = 1024;
  public static final int MAX_MAX_BATCH_SIZE = ServerLimits.MAX_BATCH_SIZE_MAX;
  public static final int MAX_MAX_BATCH_DELAY_MILLIS = ServerLimits.MAX_BATCH_DELAY_MS_MAX;
  public static final int MAX_MAX_QUEUE_SIZE = ServerLimits.MAX_QUEUE_SIZE_MAX;

  /** Inputs per model call. */
  @Min(ServerLimits.MAX_BATCH_SIZE_MIN)
  @Max(MAX_MAX_BATCH_SIZE)
  @Default("32")
  @JsonPropertyDescription("Most inputs in one model call. 1..1024, default 32.")
  private Integer maxBatchSize;

  /** How long a batch waits to fill. */
  @Min(ServerLimits.MAX_BATCH_DELAY_MS_MIN)
  @Max(MAX_MAX_BATCH_DELAY_MILLIS)
  @Default("5")
  @JsonPropertyDescription(
      "Milliseconds a batch waits for more inputs before it runs. 0..10000, default 5.")
  private Integer maxBatchDelayMillis;

  /** Queue bound; requests beyond it get 429. */
  @Min(ServerLimits.MAX_QUEUE_SIZE_MIN)
  @Max(MAX_MAX_QUEUE_SIZE)
  @Default("1024")
  @JsonPropertyDescription(
      "Most inputs waiting in the queue; beyond it requests get 429. 1..1000000, default 1024.")
  private Integer maxQueueSize;

  public Integer getMaxBatchSize() {
    return maxBatchSize;
  }

  public void setMaxBatchSize(Integer maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  public Integer getMaxBatchDelayMillis() {
    return maxBatchDelayMillis;
  }

  public void setMaxBatchDelayMillis(Integer maxBatchDelayMillis) {
    this.maxBatchDelayMillis = maxBatchDelayMillis;
  }

  public Integer getMaxQueueSize() {
    return maxQueueSize;
  }

  public void setMaxQueueSize(Integer maxQueueSize) {
    this.maxQueueSize = maxQueueSize;
  }
}
