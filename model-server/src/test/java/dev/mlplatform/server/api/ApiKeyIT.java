package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.server.lifecycle.ServerState;
import dev.mlplatform.server.metrics.ServerMetrics;
import dev.mlplatform.server.testing.TestEnv;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With API_KEY set, the API routes want the key; health stays open for the kubelet. */
class ApiKeyIT {
  private static final String KEY = "s3cret-key-for-the-tests";
  private HttpApi http;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    http =
        new HttpApi(
                TestEnv.config(Map.of("API_KEY", KEY)),
                new ServerState(ready -> {}),
                new ServerMetrics(new SimpleMeterRegistry()),
                "test")
            .start(0);
  }

  @AfterEach
  void stop() {
    http.close();
  }

  private HttpResponse<String> send(String method, String path, String authorization)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
            .method(
                method,
                HttpRequest.BodyPublishers.ofString("{\"texts\": [\"hi\"], \"input\": \"hi\"}"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void requests_without_the_key_or_with_a_wrong_one_get_401() throws Exception {
    for (String authorization : new String[] {null, "Bearer wrong", "Bearer " + KEY + "x", KEY}) {
      HttpResponse<String> reply = send("POST", "/predict", authorization);

      assertThat(reply.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
      assertThat(reply.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertThat(reply.body()).contains("\"code\":\"invalid_api_key\"").doesNotContain(KEY);
    }
    assertThat(send("GET", "/info", null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/v1/models", null).statusCode()).isEqualTo(401);
  }

  @Test
  void the_right_key_passes_on_to_the_route() throws Exception {
    // the model is still loading, so a request that gets past the key check meets a 503
    assertThat(send("POST", "/predict", "Bearer " + KEY).statusCode()).isEqualTo(503);
    assertThat(send("POST", "/v1/embeddings", "Bearer " + KEY).statusCode()).isEqualTo(503);
  }

  @Test
  void health_routes_stay_open() throws Exception {
    assertThat(send("GET", "/health/live", null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/health/ready", null).statusCode()).isEqualTo(503);
  }
}
