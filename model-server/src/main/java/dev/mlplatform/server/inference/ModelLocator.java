package dev.mlplatform.server.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.fetch.ArchiveFetcher;
import dev.mlplatform.server.fetch.HubFetcher;
import dev.mlplatform.server.fetch.HubRepository;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns a model URI into files on disk: {@code bundled:NAME} unpacks a bundled model, {@code
 * hf://ORG/NAME[@REVISION]} fetches a Hugging Face Hub repository into the cache, an http(s) URL of
 * a {@code .tar.gz} or {@code .zip} is downloaded and unpacked there, {@code file:///dir} reads a
 * sentence-transformers export (weights, {@code tokenizer.json}, and the optional {@code
 * sentence_bert_config.json}, {@code 1_Pooling/config.json}, {@code modules.json} and {@code
 * config.json} that say how it pools, normalises and truncates, and {@code
 * config_sentence_transformers.json} with its named prompts).
 */
public final class ModelLocator {
  private static final int FALLBACK_MAX_LENGTH = 256;

  private final BundledModels bundled;
  private final HubFetcher hub;
  private final ArchiveFetcher archives;
  private final ObjectMapper json = new ObjectMapper();

  public ModelLocator(BundledModels bundled, HubFetcher hub, ArchiveFetcher archives) {
    this.bundled = bundled;
    this.hub = hub;
    this.archives = archives;
  }

  /**
   * @param uri {@code bundled:NAME}, {@code file:///dir}, {@code hf://ORG/NAME[@REVISION]} or an
   *     http(s) URL of a model archive (both fetched into the cache first, or found there)
   * @param engine the engine asked for, or {@code null} to infer it from the files
   */
  public ModelFiles locate(String uri, ModelEngine engine) {
    if (uri.startsWith(HubRepository.SCHEME)) {
      return directory(hub.fetch(HubRepository.parse(uri)).directory(), engine);
    }
    if (ArchiveFetcher.accepts(uri)) {
      return directory(archives.fetch(uri), engine);
    }
    if (uri.startsWith("bundled:")) {
      ModelFiles files = bundled.unpack(uri.substring("bundled:".length()));
      if (engine != null && engine != files.engine()) {
        throw new ModelLoadException(
            uri
                + " is an "
                + files.engine().djlName()
                + " model; MODEL_ENGINE says "
                + engine.djlName());
      }
      return files;
    }
    return directory(Path.of(URI.create(uri)), engine);
  }

  private ModelFiles directory(Path dir, ModelEngine engine) {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException("model directory " + dir + " does not exist");
    }
    Path tokenizer = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw new ModelLoadException("model directory " + dir + " has no tokenizer.json");
    }
    Path weights = weights(dir, engine);
    ModelEngine found =
        weights.getFileName().toString().endsWith(".onnx")
            ? ModelEngine.ONNX_RUNTIME
            : ModelEngine.PYTORCH;
    return new ModelFiles(dir, weights, tokenizer, found, defaults(dir), prompts(dir));
  }

  private Path weights(Path dir, ModelEngine engine) {
    List<Path> onnx = find(dir, ".onnx");
    List<Path> torch = find(dir, ".pt");
    List<Path> candidates =
        engine == ModelEngine.ONNX_RUNTIME
            ? onnx
            : engine == ModelEngine.PYTORCH ? torch : onnx.isEmpty() ? torch : onnx;
    if (candidates.isEmpty()) {
      String wanted =
          engine == null
              ? "a model.onnx or a TorchScript .pt"
              : engine == ModelEngine.ONNX_RUNTIME ? "a model.onnx" : "a TorchScript .pt";
      throw new ModelLoadException("model directory " + dir + " has no " + wanted + " file");
    }
    return candidates.stream()
        .filter(p -> p.getFileName().toString().startsWith("model."))
        .findFirst()
        .orElse(candidates.get(0));
  }

  /** Weight files in the directory or its {@code onnx/} folder (the Hugging Face export layout). */
  private static List<Path> find(Path dir, String suffix) {
    try (Stream<Path> top = Files.list(dir)) {
      List<Path> found =
          top.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
      Path sub = dir.resolve("onnx");
      if (found.isEmpty() && Files.isDirectory(sub)) {
        try (Stream<Path> nested = Files.list(sub)) {
          return nested.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
      }
      return found;
    } catch (IOException e) {
      throw new ModelLoadException("cannot list model directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private ModelSettings defaults(Path dir) {
    JsonNode sbert = read(dir.resolve("sentence_bert_config.json"));
    JsonNode config = read(dir.resolve("config.json"));
    int maxLength =
        sbert
            .path("max_seq_length")
            .asInt(config.path("max_position_embeddings").asInt(FALLBACK_MAX_LENGTH));
    JsonNode poolingConfig = read(dir.resolve("1_Pooling/config.json"));
    Pooling pooling =
        poolingConfig.path("pooling_mode_cls_token").asBoolean(false) ? Pooling.CLS : Pooling.MEAN;
    Path modules = dir.resolve("modules.json");
    boolean normalize =
        !Files.isRegularFile(modules) || read(modules).toString().contains("Normalize");
    return new ModelSettings(maxLength, pooling, normalize);
  }

  /**
   * {@code config_sentence_transformers.json}: {@code {"prompts": {...}, "default_prompt_name"}}.
   */
  private Prompts prompts(Path dir) {
    JsonNode config = read(dir.resolve("config_sentence_transformers.json"));
    Map<String, String> byName = new LinkedHashMap<>();
    config
        .path("prompts")
        .fields()
        .forEachRemaining(e -> byName.put(e.getKey(), e.getValue().asText()));
    JsonNode defaultName = config.path("default_prompt_name");
    return new Prompts(byName, defaultName.isTextual() ? defaultName.asText() : null);
  }

  private JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      return json.missingNode();
    }
    try {
      return json.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelLoadException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }
}
