package dev.mlplatform.contract;

/** How the model server ends, which the operator reads from a container's last state. */
public final class ExitCodes {
  /** A setting is invalid; the message names it. */
  public static final int INVALID_CONFIG = 2;

  /** The model cannot be found, fetched, unpacked or loaded; the last log line says why. */
  public static final int MODEL_LOAD_FAILED = 3;

  private ExitCodes() {}
}
