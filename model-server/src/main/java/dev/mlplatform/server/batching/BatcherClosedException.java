package dev.mlplatform.server.batching;

/** The batcher is shutting down and takes no new work. */
public final class BatcherClosedException extends RuntimeException {
  public BatcherClosedException() {
    super("the server is shutting down and accepts no new inference work");
  }
}
