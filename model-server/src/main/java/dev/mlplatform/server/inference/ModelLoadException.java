package dev.mlplatform.server.inference;

/** The model could not be found, unpacked or loaded; the server cannot become ready. */
public final class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
