package dev.mlplatform.server.fetch;

/**
 * A model that cannot be fetched (from the Hub or an archive URL), with the reason the operator
 * reports in its condition.
 */
public final class ModelFetchException extends RuntimeException {
  /** Why, named as the ModelServer's {@code ModelReady} condition reasons are. */
  public enum Reason {
    ModelNotFound,
    Unauthorized,
    NoSupportedWeights,
    DownloadFailed
  }

  private final Reason reason;

  /** The message starts with the reason, which is how the operator reads it from the pod. */
  public ModelFetchException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public ModelFetchException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
