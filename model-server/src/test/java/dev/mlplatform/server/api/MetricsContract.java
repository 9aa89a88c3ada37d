package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.server.ModelServer;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ServedBy;
import dev.mlplatform.server.testing.SharedServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Run on every engine by its subclasses; see {@link ServedBy}. */
@ExtendWith(SharedServer.class)
abstract class MetricsContract {
  /** The engine of this class's server, as {@code /info} and the metrics name it. */
  private String engine() {
    return getClass().getAnnotation(ServedBy.class).value();
  }

  private final ApiClient api;
  private final ApiClient metrics;

  private final int port;

  MetricsContract(ModelServer server, ApiClient api) {
    this.api = api;
    this.port = server.httpPort();
    this.metrics = new ApiClient(server.metricsPort());
  }

  /** The sum of the samples of {@code name} that carry all the given label pairs (0 if none). */
  private double sample(String name, String... labels) {
    String text = metrics.get("/metrics").raw().body();
    return text.lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> Arrays.stream(labels).allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void counters_and_histograms_move_when_requests_are_served() {
    String ok = "route=\"/predict\"";
    double requests = sample("model_server_requests_total", ok, "status=\"200\"");
    double latencies = sample("model_server_request_duration_seconds_count", ok, "status=\"200\"");
    double inputs = sample("model_server_inputs_total");
    double tokens = sample("model_server_tokens_total");
    double batches = sample("model_server_batch_size_count");
    double waits = sample("model_server_queue_wait_seconds_count");
    double passes = sample("model_server_inference_duration_seconds_count", "outcome=\"ok\"");
    double rejected = sample("model_server_rejections_total", "reason=\"invalid_json\"");

    for (int i = 0; i < 3; i++) {
      assertThat(api.post("/predict", "{\"texts\": [\"one\", \"two words\"]}").status())
          .isEqualTo(200);
    }
    assertThat(api.post("/predict", "{oops").status()).isEqualTo(400);

    assertThat(sample("model_server_requests_total", ok, "status=\"200\"")).isEqualTo(requests + 3);
    assertThat(sample("model_server_request_duration_seconds_count", ok, "status=\"200\""))
        .isEqualTo(latencies + 3);
    assertThat(sample("model_server_requests_total", ok, "status=\"400\"")).isPositive();
    assertThat(sample("model_server_inputs_total")).isEqualTo(inputs + 6);
    assertThat(sample("model_server_tokens_total")).isEqualTo(tokens + 3 * (3 + 4));
    assertThat(sample("model_server_batch_size_count")).isGreaterThanOrEqualTo(batches + 1);
    assertThat(sample("model_server_queue_wait_seconds_count")).isEqualTo(waits + 6);
    assertThat(sample("model_server_inference_duration_seconds_count", "outcome=\"ok\""))
        .isGreaterThan(passes);
    assertThat(sample("model_server_rejections_total", "reason=\"invalid_json\""))
        .isEqualTo(rejected + 1);
  }

  @Test
  void a_client_that_hangs_up_mid_request_is_still_counted_and_leaves_nothing_in_flight()
      throws Exception {
    double served = sample("model_server_requests_total", "route=\"/predict\"");
    String body =
        ApiClient.json(Map.of("texts", Collections.nCopies(64, "a sentence ".repeat(40))));
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sample("model_server_requests_in_flight") >= 1);
    } // hang up before the answer

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(sample("model_server_requests_in_flight")).isZero();
              assertThat(sample("model_server_requests_total", "route=\"/predict\""))
                  .isEqualTo(served + 1);
            });
  }

  @Test
  void model_info_load_time_readiness_and_process_metrics_are_exported() {
    String text = metrics.get("/metrics").raw().body();

    assertThat(
            sample(
                "model_server_info",
                "engine=\"" + engine() + "\"",
                "model=\"sentence-transformers/all-MiniLM-L6-v2\""))
        .isEqualTo(1);
    assertThat(sample("model_server_model_load_seconds")).isPositive();
    assertThat(sample("model_server_ready")).isEqualTo(1);
    assertThat(sample("process_resident_memory_bytes")).isGreaterThan(50e6);
    assertThat(text)
        .contains("model_server_queue_depth")
        .contains("jvm_memory_used_bytes")
        .contains("process_cpu_usage");
    assertThat(metrics.get("/metrics").header("Content-Type")).startsWith("text/plain");
  }
}
