package dev.mlplatform.contract;

/** How the model server ends, which the operator reads from a container's last state. */
public final class ExitCodes {
  /** A setting is invalid; the message names it. */
  public static final int INVALID_CONFIG = 2;

  /**
   * The model cannot be found, fetched, unpacked or loaded, or needs an engine the server does not
   * carry ({@code EngineNotInstalled}: a TorchScript on the default image, which has ONNX Runtime
   * only; the {@code -pytorch} image tag adds PyTorch); the last log line says why.
   */
  public static final int MODEL_LOAD_FAILED = 3;

  private ExitCodes() {}
}
