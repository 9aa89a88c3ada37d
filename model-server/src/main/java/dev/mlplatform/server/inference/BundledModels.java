package dev.mlplatform.server.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models shipped inside the server's jar (as resources of the langchain4j model jars from Maven
 * Central), unpacked once into a cache directory so DJL can load them from files.
 */
public final class BundledModels {
  private static final ModelSettings MINILM = new ModelSettings(256, Pooling.MEAN, true);

  /** Bundled name → resource prefix in the jar. */
  private static final Map<String, String> RESOURCES =
      Map.of("all-minilm-l6-v2", "all-minilm-l6-v2", "all-minilm-l6-v2-q", "all-minilm-l6-v2-q");

  private static final Map<String, String> BY_MODEL_ID =
      Map.of(
          "sentence-transformers/all-MiniLM-L6-v2", "all-minilm-l6-v2",
          "all-MiniLM-L6-v2", "all-minilm-l6-v2");

  private final Path cacheDir;

  public BundledModels(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  public static List<String> names() {
    return RESOURCES.keySet().stream().sorted().toList();
  }

  /** The {@code bundled:} URI of the bundled model with this id, if one is bundled. */
  public static Optional<String> uriForModelId(String modelId) {
    return Optional.ofNullable(BY_MODEL_ID.get(modelId)).map(name -> "bundled:" + name);
  }

  /** Unpacks the named model (once; later calls reuse the files) and describes it. */
  public ModelFiles unpack(String name) {
    String prefix = RESOURCES.get(name);
    if (prefix == null) {
      throw new ModelLoadException(
          "no bundled model named '" + name + "' (bundled: " + names() + ")");
    }
    Path dir = cacheDir.resolve(name);
    Path weights = dir.resolve("model.onnx");
    Path tokenizer = dir.resolve("tokenizer.json");
    try {
      Files.createDirectories(dir);
      copyOnce(prefix + ".onnx", weights);
      copyOnce(prefix + "-tokenizer.json", tokenizer);
    } catch (IOException e) {
      throw new ModelLoadException(
          "cannot unpack bundled model '" + name + "' into " + dir + ": " + e.getMessage(), e);
    }
    return new ModelFiles(dir, weights, tokenizer, OnnxRuntimeBackend.NAME, MINILM, Prompts.NONE);
  }

  /** Copies through a temporary file and an atomic move, so a crash never leaves half a model. */
  private static void copyOnce(String resource, Path target) throws IOException {
    if (Files.isRegularFile(target)) {
      return;
    }
    try (InputStream in = BundledModels.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("resource " + resource + " is missing from the classpath");
      }
      Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
      try {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
