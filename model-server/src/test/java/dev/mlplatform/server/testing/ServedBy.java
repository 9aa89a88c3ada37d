package dev.mlplatform.server.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Which engine the {@link SharedServer} of a test class runs the model on. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
public @interface ServedBy {
  /** {@code OnnxRuntime} (the bundled ONNX model) or {@code PyTorch} (its TorchScript). */
  String value();
}
