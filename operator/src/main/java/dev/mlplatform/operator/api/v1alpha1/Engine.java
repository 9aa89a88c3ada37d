package dev.mlplatform.operator.api.v1alpha1;

/** Inference engines the model server can run. */
public enum Engine {
  OnnxRuntime,
  PyTorch
}
