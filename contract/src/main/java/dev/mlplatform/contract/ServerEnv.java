package dev.mlplatform.contract;

/**
 * The model server's environment keys that the operator writes (into the ConfigMap or the pod's
 * env) and the server reads. Named once here so the two sides cannot drift apart; what each takes
 * is {@link ServerSettings}.
 */
public final class ServerEnv {
  public static final String MODEL_ID = "MODEL_ID";
  public static final String MODEL_URI = "MODEL_URI";
  public static final String MODEL_ENGINE = "MODEL_ENGINE";
  public static final String MAX_SEQUENCE_LENGTH = "MAX_SEQUENCE_LENGTH";
  public static final String NORMALIZE = "NORMALIZE";
  public static final String POOLING = "POOLING";
  public static final String MAX_BATCH_SIZE = "MAX_BATCH_SIZE";
  public static final String MAX_BATCH_DELAY_MS = "MAX_BATCH_DELAY_MS";
  public static final String MAX_QUEUE_SIZE = "MAX_QUEUE_SIZE";
  public static final String MAX_BATCH_TOKENS = "MAX_BATCH_TOKENS";
  public static final String MAX_INPUTS_PER_REQUEST = "MAX_INPUTS_PER_REQUEST";
  public static final String MAX_REQUEST_BYTES = "MAX_REQUEST_BYTES";
  public static final String HTTP_PORT = "HTTP_PORT";
  public static final String METRICS_PORT = "METRICS_PORT";
  public static final String INFERENCE_WORKERS = "INFERENCE_WORKERS";
  public static final String INFERENCE_THREADS = "INFERENCE_THREADS";
  public static final String SHUTDOWN_DRAIN_SECONDS = "SHUTDOWN_DRAIN_SECONDS";
  public static final String LOG_FORMAT = "LOG_FORMAT";

  /**
   * Seconds after which a kept-alive connection is closed at its next response, so that clients
   * reconnect and spread over replicas added since; 0 keeps connections open.
   */
  public static final String MAX_CONNECTION_AGE_SECONDS = "MAX_CONNECTION_AGE_SECONDS";

  public static final String MODEL_CACHE_DIR = "MODEL_CACHE_DIR";
  public static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";
  public static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";
  public static final String API_KEY = "API_KEY";
  public static final String HF_ENDPOINT = "HF_ENDPOINT";
  public static final String HF_TOKEN = "HF_TOKEN";

  /** The image's JVM flags, read by its entrypoint (not by the server's config loader). */
  public static final String JAVA_OPTS = "JAVA_OPTS";

  /** Where {@code fetch} writes its JSON report (the container's termination message). */
  public static final String TERMINATION_LOG = "TERMINATION_LOG";

  private ServerEnv() {}
}
