package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.server.lifecycle.ServerState;
import dev.mlplatform.server.metrics.ServerMetrics;
import dev.mlplatform.server.testing.TestEnv;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A kept-alive connection is closed after its first response past MAX_CONNECTION_AGE_SECONDS, so
 * that clients behind a Service reconnect and reach replicas added since.
 */
class ConnectionAgeIT {

  private HttpApi http;

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
  }

  private void start(String maxAgeSeconds) {
    http =
        new HttpApi(
                TestEnv.config(Map.of("MAX_CONNECTION_AGE_SECONDS", maxAgeSeconds)),
                new ServerState(ready -> {}),
                new ServerMetrics(new SimpleMeterRegistry()),
                "test")
            .start(0);
  }

  /** The response headers of one GET on the kept-alive socket, lower-cased. */
  private static List<String> get(Socket socket, BufferedReader in) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        "GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    List<String> headers = new ArrayList<>();
    String line;
    int length = 0;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      headers.add(line.toLowerCase());
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.skip(length);
    return headers;
  }

  @Test
  void a_connection_past_its_age_is_closed_after_its_response() throws Exception {
    start("1");
    try (Socket socket = new Socket("127.0.0.1", http.port())) {
      socket.setSoTimeout(5000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(get(socket, in)).contains("http/1.1 200 ok").doesNotContain("connection: close");
      Thread.sleep(Duration.ofMillis(1200).toMillis());
      assertThat(get(socket, in)).contains("http/1.1 200 ok", "connection: close");
      assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
    }
  }

  @Test
  void zero_keeps_connections_open() throws Exception {
    start("0");
    try (Socket socket = new Socket("127.0.0.1", http.port())) {
      socket.setSoTimeout(5000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      get(socket, in);
      Thread.sleep(1200);
      assertThat(get(socket, in)).contains("http/1.1 200 ok").doesNotContain("connection: close");
    }
  }

  @Test
  void each_connection_gets_a_limit_within_ten_percent_of_the_age() {
    ConnectionAge age = new ConnectionAge(Duration.ofSeconds(30));
    for (int hash : new int[] {0, 1, 100, 200, 201, -7, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      assertThat(age.limit(hash)).isBetween(27_000L, 33_000L);
    }
    assertThat(age.limit(0)).isNotEqualTo(age.limit(150));
  }
}
