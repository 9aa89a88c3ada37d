package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.ModelServer;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.SharedServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients slower than the server has request threads (250): bodies that stop half-way, and bodies
 * that trickle in a few bytes at a time. Neither holds a request thread (bodies are read without
 * one), so a normal request sent meanwhile is served at once; silence ends with a 408 JSON error
 * after 10 s, and a trickled body, once complete, is answered like any other.
 */
@ExtendWith(SharedServer.class)
class SlowClientsIT {
  private static final int STALLED_CLIENTS = 300; // Javalin's request pool has 250 threads
  private static final int TRICKLING_CLIENTS = 300;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelServer server;
  private final ApiClient api;

  SlowClientsIT(ModelServer server, ApiClient api) {
    this.server = server;
    this.api = api;
  }

  @Test
  void clients_stalling_their_bodies_get_408_and_do_not_starve_the_others() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < STALLED_CLIENTS; i++) {
        Socket socket = startPredict(100_000);
        socket.getOutputStream().write("{\"texts\": [\"".getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      Thread.sleep(2_000); // every stalled client is now inside a request thread

      long started = System.nanoTime();
      ApiClient.Reply reply = api.post("/predict", "{\"texts\": [\"served despite them\"]}");
      double seconds = (System.nanoTime() - started) / 1e9;

      assertThat(reply.status()).isEqualTo(200);
      assertThat(seconds).as("a normal request's wait, in seconds").isLessThan(3);

      int timedOut = 0;
      for (Socket socket : slow) {
        String response = readResponse(socket.getInputStream());
        assertThat(response).startsWith("HTTP/1.1 408");
        JsonNode error = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(error.at("/error/code").asText()).isEqualTo("request_timeout");
        timedOut++;
      }
      assertThat(timedOut).isEqualTo(STALLED_CLIENTS);
      assertThat(api.get("/health/ready").status()).isEqualTo(200);
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void clients_trickling_their_bodies_hold_no_thread_and_are_answered_once_complete()
      throws Exception {
    ApiClient metrics = new ApiClient(server.metricsPort());
    double served =
        sample(metrics, "model_server_requests_total", "route=\"/predict\"", "status=\"200\"");
    List<Socket> slow = new ArrayList<>();
    List<byte[]> bodies = new ArrayList<>();
    try {
      for (int i = 0; i < TRICKLING_CLIENTS; i++) {
        byte[] body =
            ("{\"texts\": [\"trickled sentence number " + i + "\"]}")
                .getBytes(StandardCharsets.US_ASCII);
        slow.add(startPredict(body.length));
        bodies.add(body);
      }
      // 4 bytes per client every 200 ms: ~2 s per body, each well inside the 10 s idle timeout
      double normalWait = -1;
      for (int offset = 0; offset < 60; offset += 4) {
        for (int i = 0; i < slow.size(); i++) {
          byte[] body = bodies.get(i);
          if (offset < body.length) {
            slow.get(i).getOutputStream().write(body, offset, Math.min(4, body.length - offset));
          }
        }
        if (offset == 12) { // every client is mid-body now
          long started = System.nanoTime();
          ApiClient.Reply reply = api.post("/predict", "{\"texts\": [\"served meanwhile\"]}");
          normalWait = (System.nanoTime() - started) / 1e9;
          assertThat(reply.status()).isEqualTo(200);
        }
        Thread.sleep(200);
      }
      assertThat(normalWait).as("a normal request's wait, in seconds").isBetween(0.0, 3.0);

      for (Socket socket : slow) {
        String response = readResponse(socket.getInputStream());
        assertThat(response).startsWith("HTTP/1.1 200");
        JsonNode answer = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(answer.at("/embeddings/0")).hasSize(384);
      }
      // each trickled request was counted once, and none is left in flight
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(
                        sample(
                            metrics,
                            "model_server_requests_total",
                            "route=\"/predict\"",
                            "status=\"200\""))
                    .isEqualTo(served + TRICKLING_CLIENTS + 1);
                assertThat(sample(metrics, "model_server_requests_in_flight")).isZero();
              });
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  /** Opens a connection and sends the headers of a {@code POST /predict}, but no body yet. */
  private Socket startPredict(int contentLength) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.httpPort());
    socket.setSoTimeout(30_000);
    socket
        .getOutputStream()
        .write(
            ("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + contentLength
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  private static double sample(ApiClient metrics, String name, String... labels) {
    return metrics
        .get("/metrics")
        .raw()
        .body()
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** Reads one response: headers, then Content-Length bytes of body, or all until the close. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int contentLength = -2; // not read yet; -1: no Content-Length
    try {
      while (true) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        bytes.write(b);
        String sofar = bytes.toString(StandardCharsets.UTF_8);
        int headersEnd = sofar.indexOf("\r\n\r\n");
        if (headersEnd >= 0 && contentLength == -2) {
          contentLength = contentLength(sofar.substring(0, headersEnd));
        }
        if (headersEnd >= 0
            && contentLength >= 0
            && bytes.size() >= headersEnd + 4 + contentLength) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      // fall through: the assertion on what arrived names the problem
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int contentLength(String headers) {
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return -1;
  }
}
