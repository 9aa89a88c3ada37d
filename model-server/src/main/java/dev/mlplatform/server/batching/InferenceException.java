package dev.mlplatform.server.batching;

/** The engine failed on a batch; the requests in it get a 500, the server keeps running. */
public final class InferenceException extends RuntimeException {
  public InferenceException(Throwable cause) {
    super("inference failed: " + cause.getMessage(), cause);
  }
}
