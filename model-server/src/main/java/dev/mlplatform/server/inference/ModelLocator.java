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
import java.util.ArrayList;
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
  private final EngineRegistry engines;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param engines which engine runs the weights found
   */
  public ModelLocator(
      BundledModels bundled, HubFetcher hub, ArchiveFetcher archives, EngineRegistry engines) {
    this.bundled = bundled;
    this.hub = hub;
    this.archives = archives;
    this.engines = engines;
  }

  /**
   * @param uri {@code bundled:NAME}, {@code file:///dir}, {@code hf://ORG/NAME[@REVISION]} or an
   *     http(s) URL of a model archive (both fetched into the cache first, or found there)
   * @param engine the name of the engine asked for, or {@code null} to infer it from the files
   */
  public ModelFiles locate(String uri, String engine) {
    if (uri.startsWith(HubRepository.SCHEME)) {
      return directory(hub.fetch(HubRepository.parse(uri), engine).directory(), engine);
    }
    if (ArchiveFetcher.accepts(uri)) {
      return directory(archives.fetch(uri), engine);
    }
    if (uri.startsWith("bundled:")) {
      ModelFiles files = bundled.unpack(uri.substring("bundled:".length()));
      if (engine != null && !engines.named(engine).name().equals(files.engine())) {
        throw new ModelLoadException(
            uri
                + " is an "
                + files.engine()
                + " model; MODEL_ENGINE says "
                + engines.named(engine).name());
      }
      return files;
    }
    return directory(Path.of(URI.create(uri)), engine);
  }

  private ModelFiles directory(Path dir, String engine) {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException("model directory " + dir + " does not exist");
    }
    Path tokenizer = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw new ModelLoadException("model directory " + dir + " has no tokenizer.json");
    }
    List<String> files = files(dir);
    EngineChoice choice =
        engines
            .choose(files, engine)
            .orElseThrow(
                () ->
                    new ModelLoadException(
                        engines.noWeights("model directory " + dir, files, engine)));
    return new ModelFiles(
        dir,
        dir.resolve(choice.weights()),
        tokenizer,
        choice.engine().name(),
        defaults(dir),
        prompts(dir));
  }

  /**
   * The files at the directory's root and in its {@code onnx/} folder (the Hugging Face export
   * layout), as paths relative to it: where the engines look for weights.
   */
  private static List<String> files(Path dir) {
    List<String> found = new ArrayList<>();
    for (String folder : List.of("", "onnx/")) {
      Path path = dir.resolve(folder);
      if (!Files.isDirectory(path)) {
        continue;
      }
      try (Stream<Path> listed = Files.list(path)) {
        listed
            .filter(Files::isRegularFile)
            .map(p -> folder + p.getFileName())
            .sorted()
            .forEach(found::add);
      } catch (IOException e) {
        throw new ModelLoadException(
            "cannot list model directory " + path + ": " + e.getMessage(), e);
      }
    }
    return found;
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
