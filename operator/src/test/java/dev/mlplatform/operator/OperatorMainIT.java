package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.testing.MockCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shaded jar as the container runs it: its own JVM, configured by the environment. */
class OperatorMainIT {

  private static Path jar() throws IOException {
    try (var files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-all.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("the shaded jar is built at package"));
    }
  }

  private static ProcessBuilder operator(Map<String, String> env, Path log) throws IOException {
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

  @Test
  void invalid_setting_stops_start_up_with_exit_code_2_naming_the_variable() throws Exception {
    Path log = Files.createTempFile("operator", ".log");
    Process process = operator(Map.of("RECONCILE_INTERVAL", "soon"), log).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log)).contains("RECONCILE_INTERVAL must be");
  }

  @Test
  void sigterm_turns_the_running_operator_off_cleanly() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      Path log = Files.createTempFile("operator", ".log");
      Process process =
          operator(
                  Map.of(
                      "KUBERNETES_MASTER", cluster.url(),
                      "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
                      "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false",
                      "KUBERNETES_NAMESPACE", "default",
                      "LEADER_ELECTION", "false",
                      "MANAGEMENT_PORT", String.valueOf(port)),
                  log)
              .start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(
                () ->
                    http.send(
                                HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/readyz"))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                        == 200);

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(20, TimeUnit.SECONDS))
            .as("stops within the pod's grace period")
            .isTrue();
        assertThat(process.exitValue()).as("terminated by SIGTERM").isEqualTo(143);
        assertThat(Files.readString(log)).contains("shutting down").doesNotContain("Exception");
      } finally {
        process.destroyForcibly();
      }
    }
  }
}
