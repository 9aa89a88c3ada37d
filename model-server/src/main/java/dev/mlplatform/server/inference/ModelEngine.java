package dev.mlplatform.server.inference;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The DJL engines the server can run a model on, by the name DJL and the CRD use. */
public enum ModelEngine {
  ONNX_RUNTIME("OnnxRuntime"),
  PYTORCH("PyTorch");

  private final String djlName;

  ModelEngine(String djlName) {
    this.djlName = djlName;
  }

  /** The engine name as DJL, the CRD and {@code /info} spell it. */
  public String djlName() {
    return djlName;
  }

  public static Optional<ModelEngine> fromName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(e -> e.djlName.toLowerCase(Locale.ROOT).equals(wanted))
        .findFirst();
  }
}
