package dev.mlplatform.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ApiClient.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server as its own process, stopped with SIGTERM as the kubelet stops it. */
class ShutdownIT {
  private Process process;

  @AfterEach
  void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void sigterm_while_requests_are_in_flight_completes_all_of_them_and_exits_0() throws Exception {
    int httpPort = freePort();
    Path log = Files.createTempFile("model-server", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-Dai.djl.onnx.disable_alternative=true",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder
        .environment()
        .putAll(
            Map.of(
                "HTTP_PORT", "" + httpPort,
                "METRICS_PORT", "" + freePort(),
                "INFERENCE_THREADS", "2",
                "SHUTDOWN_DRAIN_SECONDS", "2",
                "MAX_BATCH_SIZE", "8"));
    process = builder.start();
    ApiClient api = new ApiClient(httpPort);
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> api.get("/health/ready").status() == 200);

    // enough long texts that the model is still busy when the signal lands
    String body =
        ApiClient.json(
            Map.of("texts", Collections.nCopies(16, "a fairly long sentence ".repeat(20))));
    List<CompletableFuture<Reply>> inFlight = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      inFlight.add(api.postAsync("/predict", body));
    }
    Thread.sleep(200);
    process.destroy(); // SIGTERM

    await().atMost(Duration.ofSeconds(2)).until(() -> api.get("/health/ready").status() == 503);
    Reply duringDrain = api.post("/predict", "{\"texts\": [\"sent during the drain period\"]}");
    assertThat(duringDrain.status()).isEqualTo(200);
    for (CompletableFuture<Reply> reply : inFlight) {
      Reply r = reply.get(60, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("embeddings")).hasSize(16);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log)).contains("stopped");
  }

  @Test
  void an_invalid_setting_stops_start_up_with_a_message_naming_the_variable() throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName())
            .redirectErrorStream(true);
    builder.environment().put("MAX_BATCH_SIZE", "lots");
    process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output).contains("MAX_BATCH_SIZE").contains("lots");
  }
}
