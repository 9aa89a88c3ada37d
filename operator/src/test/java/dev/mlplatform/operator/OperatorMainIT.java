package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.testing.MockCluster;
import dev.mlplatform.operator.testing.OperatorProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shaded jar as the container runs it: its own JVM, configured by the environment. */
class OperatorMainIT {

  private static ProcessBuilder operator(Map<String, String> env, Path log) throws IOException {
    return OperatorProcess.builder(env, log);
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
  void unreachable_api_server_at_start_exits_1_instead_of_lingering_unready() throws Exception {
    MockCluster cluster = MockCluster.start();
    Map<String, String> env = new HashMap<>(OperatorProcess.connectingTo(cluster));
    cluster.close(); // nothing listens on its port any more
    env.put("LEADER_ELECTION", "false");
    env.put("MANAGEMENT_PORT", String.valueOf(freePort()));
    // fabric8 retries a refused connection 10 times with back-off (about 25 s) before it gives up.
    env.put("KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT", "1");
    Path log = Files.createTempFile("operator", ".log");
    Process process = operator(env, log).start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS))
          .as("exits, so that Kubernetes restarts it")
          .isTrue();
      assertThat(process.exitValue()).isEqualTo(1);
      assertThat(Files.readString(log)).contains("cannot start");
    } finally {
      process.destroyForcibly();
    }
  }

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    Map<String, String> all = new HashMap<>(a);
    all.putAll(b);
    return all;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void sigterm_turns_the_running_operator_off_cleanly() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      int port = freePort();
      Path log = Files.createTempFile("operator", ".log");
      Process process =
          operator(
                  with(
                      OperatorProcess.connectingTo(cluster),
                      Map.of("LEADER_ELECTION", "false", "MANAGEMENT_PORT", String.valueOf(port))),
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
