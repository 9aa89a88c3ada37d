package dev.mlplatform.operator.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The external tools the tests run, found on {@code PATH} as a user's shell finds them. A missing
 * tool fails the test with the tool's name and the command that installs it ({@code make
 * test-deps}), never a quiet skip. A group is skipped only when the developer names it in {@code
 * MLPLATFORM_WITHOUT} (documented in docs/development.md; CI never sets it).
 */
public final class Tools {
  /** The environment variable that switches groups of tool-backed tests off, space separated. */
  public static final String WITHOUT = "MLPLATFORM_WITHOUT";

  private Tools() {}

  /**
   * The tool's path on {@code PATH}; fails the test if it is missing (skips it if {@code group} is
   * named in {@link #WITHOUT}).
   */
  public static Path require(String tool, String group) {
    skipIfOff(group);
    return find(tool)
        .orElseGet(
            () ->
                fail(
                    "%s is not on PATH: run `make test-deps` (tools/setup.sh installs it), or set"
                        + " %s=%s to leave these tests out",
                    tool, WITHOUT, group));
  }

  /** Skips the test when the developer switched its group off in {@link #WITHOUT}. */
  public static void skipIfOff(String group) {
    assumeThat(switchedOff())
        .as("%s names %s: these tests are switched off", WITHOUT, group)
        .doesNotContain(group);
  }

  static Optional<Path> find(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, tool))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static Set<String> switchedOff() {
    String value = System.getenv().getOrDefault(WITHOUT, "");
    return Arrays.stream(value.split("[\\s,]+"))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }
}
