package dev.mlplatform.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Model directories the build prepares for the integration tests. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * The TorchScript of all-MiniLM-L6-v2, converted from the bundled ONNX weights by {@code
   * tools/torchscript-fixture.sh} before the integration tests run. Missing means a broken build,
   * so it fails rather than skips, unless the developer switched the PyTorch tests off with {@code
   * MLPLATFORM_WITHOUT=pytorch} (docs/development.md; CI never does).
   */
  public static Path torchScriptModel() {
    assumeThat(System.getenv().getOrDefault("MLPLATFORM_WITHOUT", "").split("[\\s,]+"))
        .as("MLPLATFORM_WITHOUT names pytorch: the PyTorch tests are switched off")
        .doesNotContain("pytorch");
    String dir = System.getProperty("torchscript.fixture");
    assertThat(dir).as("system property torchscript.fixture (set by the Maven build)").isNotBlank();
    Path path = Path.of(dir);
    assertThat(Files.isRegularFile(path.resolve("model.pt"))).as(path + "/model.pt").isTrue();
    return path;
  }
}
