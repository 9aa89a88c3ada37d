package dev.mlplatform.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ApiClient.Reply;
import dev.mlplatform.server.testing.ServerProcess;
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
  private ServerProcess server;

  @AfterEach
  void kill() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void sigterm_while_requests_are_in_flight_completes_all_of_them_and_exits_0() throws Exception {
    server = ServerProcess.start(Map.of("SHUTDOWN_DRAIN_SECONDS", "2", "MAX_BATCH_SIZE", "8"));
    ApiClient api = server.awaitReady();
    Process process = server.process();

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
    assertThat(process.exitValue()).as(server.log()).isZero();
    assertThat(server.log()).contains("stopped");
  }

  @Test
  void an_invalid_setting_stops_start_up_with_a_message_naming_the_variable() throws Exception {
    server = ServerProcess.start(Map.of("MAX_BATCH_SIZE", "lots"));

    assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.process().exitValue()).isEqualTo(2);
    assertThat(server.log()).contains("MAX_BATCH_SIZE").contains("lots");
  }

  @Test
  void a_model_that_cannot_load_exits_3_with_the_reason_on_the_last_line() throws Exception {
    server = ServerProcess.start(Map.of("MODEL_URI", "file:///nonexistent/model"));

    assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(server.process().exitValue()).isEqualTo(3);
    List<String> lines = server.log().strip().lines().toList();
    assertThat(lines.get(lines.size() - 1))
        .contains("cannot load the model")
        .contains("/nonexistent/model");
  }
}
