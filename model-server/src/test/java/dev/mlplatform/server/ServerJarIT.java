package dev.mlplatform.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.contract.ExitCodes;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.Fixtures;
import dev.mlplatform.server.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code model-server.jar} as the images run it: ONNX Runtime inside, the PyTorch
 * engine only when its jars lie in {@code engines/pytorch/} beside it (the {@code -pytorch} image,
 * a local build), and a one-line reason with exit 3 when a TorchScript meets a jar without them
 * (the default image).
 */
class ServerJarIT {
  private static final String ENGINE_SERVICES = "META-INF/services/ai.djl.engine.EngineProvider";

  private static Path jar;

  /** The jar alone in a folder, as the default image holds it. */
  @TempDir static Path alone;

  @BeforeAll
  static void packagedJar() throws IOException {
    String path = System.getProperty("server.jar");
    assertThat(path).as("system property server.jar (set by the Maven build)").isNotBlank();
    jar = Path.of(path);
    assertThat(jar).isRegularFile();
    Files.copy(jar, alone.resolve("model-server.jar"));
  }

  @Test
  void the_jar_carries_onnx_runtime_for_linux_but_neither_the_pytorch_engine_nor_libtorch()
      throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> names =
          Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
      assertThat(names)
          .contains(
              "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
              "native/lib/linux-x86_64/cpu/libtokenizers.so");
      assertThat(names)
          .noneMatch(n -> n.startsWith("ai/djl/pytorch/"))
          .noneMatch(n -> n.contains("libtorch"))
          .noneMatch(n -> n.matches("(ai/onnxruntime/native|native/lib)/(osx|win)-.*"));
      assertThat(read(file, ENGINE_SERVICES))
          .contains("ai.djl.onnxruntime.engine.OrtEngineProvider")
          .doesNotContain("pytorch");
    }
  }

  @Test
  void the_images_jar_is_the_same_jar_without_the_bundled_weights() throws IOException {
    Path slim = jar.resolveSibling("model-server-without-bundled-weights.jar");
    try (JarFile full = new JarFile(jar.toFile());
        JarFile without = new JarFile(slim.toFile())) {
      List<String> fullNames =
          Collections.list(full.entries()).stream().map(ZipEntry::getName).toList();
      List<String> names =
          Collections.list(without.entries()).stream().map(ZipEntry::getName).toList();
      assertThat(fullNames).contains("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-q.onnx");
      assertThat(names)
          .containsExactlyInAnyOrderElementsOf(
              fullNames.stream().filter(n -> !n.endsWith(".onnx")).toList())
          .contains("all-minilm-l6-v2-tokenizer.json", "all-minilm-l6-v2-q-tokenizer.json");
      assertThat(without.getManifest().getMainAttributes())
          .isEqualTo(full.getManifest().getMainAttributes());
    }
  }

  @Test
  void its_manifest_class_path_names_exactly_the_pytorch_jars_the_build_puts_beside_it()
      throws IOException {
    Set<String> classPath;
    try (JarFile file = new JarFile(jar.toFile())) {
      String value = file.getManifest().getMainAttributes().getValue("Class-Path");
      assertThat(value).as("Class-Path in the manifest").isNotBlank();
      classPath = Arrays.stream(value.trim().split("\\s+")).collect(Collectors.toSet());
    }
    Set<String> beside;
    try (Stream<Path> files = Files.list(jar.resolveSibling("engines").resolve("pytorch"))) {
      beside = files.map(f -> "engines/pytorch/" + f.getFileName()).collect(Collectors.toSet());
    }
    assertThat(classPath).isEqualTo(beside).hasSize(3);
    String services = "";
    for (String entry : classPath) {
      try (JarFile file = new JarFile(jar.resolveSibling(entry).toFile())) {
        ZipEntry service = file.getEntry(ENGINE_SERVICES);
        services += service == null ? "" : read(file, ENGINE_SERVICES);
      }
    }
    assertThat(services).contains("ai.djl.pytorch.engine.PtEngineProvider");
  }

  @Test
  void java_jar_finds_the_pytorch_engine_beside_it_and_serves_a_torchscript() throws Exception {
    Path model = Fixtures.torchScriptModel();
    try (ServerProcess server =
        ServerProcess.startJar(jar, Map.of("MODEL_URI", "file://" + model))) {
      ApiClient api = server.awaitReady();
      assertThat(api.get("/info").json().get("engine").asText()).isEqualTo("PyTorch");
      ApiClient.Reply reply = api.post("/predict", "{\"texts\": [\"hello world\"]}");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().get("dimension").asInt()).isEqualTo(384);
    }
  }

  @Test
  void the_jar_alone_serves_the_bundled_onnx_model() throws Exception {
    try (ServerProcess server =
        ServerProcess.startJar(alone.resolve("model-server.jar"), Map.of())) {
      ApiClient api = server.awaitReady();
      assertThat(api.get("/info").json().get("engine").asText()).isEqualTo("OnnxRuntime");
      assertThat(api.post("/predict", "{\"text\": \"hi\"}").status()).isEqualTo(200);
      assertThat(server.mappedLibraries()).doesNotContain("libtorch");
    }
  }

  @Test
  void a_torchscript_on_the_jar_alone_exits_3_with_one_line_naming_the_pytorch_image(
      @TempDir Path dir) throws Exception {
    // the engine check comes before the weights are read: no libtorch, no real TorchScript needed
    Path model = Files.createDirectories(dir.resolve("torchscript"));
    Files.copy(
        Path.of(System.getProperty("onnx.fixtures"), "all-minilm-l6-v2-tokenizer.json"),
        model.resolve("tokenizer.json"));
    Files.writeString(model.resolve("model.pt"), "weights never read");

    try (ServerProcess server =
        ServerProcess.startJar(
            alone.resolve("model-server.jar"), Map.of("MODEL_URI", "file://" + model))) {
      assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as(server.log()).isTrue();
      assertThat(server.process().exitValue())
          .as(server.log())
          .isEqualTo(ExitCodes.MODEL_LOAD_FAILED);
      List<String> lines = server.log().strip().lines().toList();
      assertThat(lines.get(lines.size() - 1))
          .contains(
              "cannot load the model: EngineNotInstalled: the model needs the PyTorch engine,"
                  + " which this server does not carry (it has OnnxRuntime)")
          .contains("model server image's -pytorch tag (a ModelServer's spec.image)");
      assertThat(server.log()).as("no stack trace").doesNotContain("\tat ", "Exception");
    }
  }

  private static String read(JarFile file, String name) throws IOException {
    ZipEntry entry = file.getEntry(name);
    assertThat(entry).as(name + " in " + file.getName()).isNotNull();
    try (InputStream in = file.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
