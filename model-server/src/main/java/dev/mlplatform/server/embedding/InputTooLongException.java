package dev.mlplatform.server.embedding;

/** A text exceeds the model's window and the request asked not to truncate it. */
public final class InputTooLongException extends RuntimeException {
  private final int index;

  public InputTooLongException(int index, int maxTokens) {
    super(
        "input "
            + index
            + " is longer than the model's window of "
            + maxTokens
            + " tokens and truncate is false");
    this.index = index;
  }

  public int index() {
    return index;
  }
}
