package dev.mlplatform.contract;

/**
 * The bounds of the server settings a ModelServer's typed fields set: the CRD's schema and the
 * server's config loader both use these, so what the API server admits the server accepts.
 */
public final class ServerLimits {
  public static final int MAX_SEQUENCE_LENGTH_MIN = 1;
  public static final int MAX_SEQUENCE_LENGTH_MAX = 8192;
  public static final int MAX_BATCH_SIZE_MIN = 1;
  public static final int MAX_BATCH_SIZE_MAX = 1024;
  public static final int MAX_BATCH_DELAY_MS_MIN = 0;
  public static final int MAX_BATCH_DELAY_MS_MAX = 10_000;
  public static final int MAX_QUEUE_SIZE_MIN = 1;
  public static final int MAX_QUEUE_SIZE_MAX = 1_000_000;

  private ServerLimits() {}
}
