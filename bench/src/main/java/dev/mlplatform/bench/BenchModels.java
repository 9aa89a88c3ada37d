package dev.mlplatform.bench;

import dev.mlplatform.server.inference.BundledModels;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.inference.ModelFiles;
import dev.mlplatform.server.inference.ModelLocator;
import java.nio.file.Path;

/** The model files the in-process benchmarks load, found as the server finds them. */
final class BenchModels {

  private BenchModels() {}

  /** {@code bundled:} and {@code file://} URIs only: the benchmarks download nothing. */
  static ModelFiles locate(String uri) {
    return new ModelLocator(
            new BundledModels(Path.of(System.getProperty("java.io.tmpdir"), "mlplatform-models")),
            null,
            null,
            EngineRegistry.standard())
        .locate(uri, null);
  }
}
