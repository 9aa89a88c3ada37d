package dev.mlplatform.server.batching;

/** The queue has no room for all of a request's inputs; the client should retry later. */
public final class QueueFullException extends RuntimeException {
  private final int retryAfterSeconds;

  public QueueFullException(int requested, int free, int capacity, int retryAfterSeconds) {
    super(
        "the inference queue is full: "
            + requested
            + " input(s) asked for, "
            + free
            + " of "
            + capacity
            + " slots free; retry after "
            + retryAfterSeconds
            + " s");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
