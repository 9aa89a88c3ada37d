package dev.mlplatform.operator.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The shaded operator jar in a JVM of its own, as the container runs it. */
public final class OperatorProcess {

  private OperatorProcess() {}

  /** The shaded jar, built by the package phase that runs before the integration tests. */
  public static Path jar() throws IOException {
    try (var files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-all.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("the shaded jar is built at package"));
    }
  }

  /** A process running the jar with {@code env} added, stdout and stderr into {@code log}. */
  public static ProcessBuilder builder(Map<String, String> env, Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-jar",
                jar().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder;
  }

  /** The environment that points the operator's client at {@code cluster} and nothing else. */
  public static Map<String, String> connectingTo(MockCluster cluster) {
    return Map.of(
        "KUBERNETES_MASTER", cluster.url(),
        "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
        "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false",
        "KUBERNETES_NAMESPACE", "default");
  }
}
