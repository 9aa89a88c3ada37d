package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: the test compares rendered text with a committed file; {@code -Dupdate.golden=true}
 * rewrites the file instead (then review the diff).
 */
public final class Golden {

  private Golden() {}

  public static boolean updating() {
    return Boolean.parseBoolean(System.getProperty("update.golden", "false"));
  }

  public static Path dir() {
    return Path.of(System.getProperty("golden.dir", "src/test/resources/golden"));
  }

  public static Path repoRoot() {
    return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
  }

  /** Asserts {@code actual} equals the golden file {@code name} under the golden directory. */
  public static void assertMatches(String name, String actual) {
    assertFileMatches(dir().resolve(name), actual);
  }

  public static void assertFileMatches(Path file, String actual) {
    try {
      if (updating()) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual);
        return;
      }
      assertThat(file)
          .as("golden file %s is missing; run mvn verify -Dupdate.golden=true", file)
          .exists();
      assertThat(actual)
          .as("%s is stale; run mvn verify -Dupdate.golden=true and review the diff", file)
          .isEqualTo(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
