package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.ModelServer;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.SharedServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow-body clients (slowloris): more connections than the server has request threads, each
 * trickling its body a byte a second. Without a floor on the upload rate they held every thread and
 * other clients timed out; now each gets a 408 JSON error within seconds while others are served.
 */
@ExtendWith(SharedServer.class)
class SlowClientsIT {
  private static final int SLOW_CLIENTS = 300; // Javalin's request pool has 250 threads
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelServer server;
  private final ApiClient api;

  SlowClientsIT(ModelServer server, ApiClient api) {
    this.server = server;
    this.api = api;
  }

  @Test
  void clients_trickling_their_bodies_get_408_and_do_not_starve_the_others() throws Exception {
    List<Socket> slow = new ArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < SLOW_CLIENTS; i++) {
        Socket socket = new Socket("127.0.0.1", server.httpPort());
        socket.setSoTimeout(30_000);
        socket
            .getOutputStream()
            .write(
                ("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000\r\n\r\n{\"texts\": [\"")
                    .getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      trickle.scheduleAtFixedRate(
          () -> {
            for (Socket socket : slow) {
              try {
                OutputStream out = socket.getOutputStream();
                out.write('a');
                out.flush();
              } catch (IOException closedByServer) {
                // expected once the server has answered 408
              }
            }
          },
          0,
          1,
          TimeUnit.SECONDS);
      Thread.sleep(2_000); // every slow client is now inside a request thread

      long started = System.nanoTime();
      ApiClient.Reply reply = api.post("/predict", "{\"texts\": [\"served despite them\"]}");
      double seconds = (System.nanoTime() - started) / 1e9;

      assertThat(reply.status()).isEqualTo(200);
      assertThat(seconds).as("a normal request's wait, in seconds").isLessThan(10);

      int timedOut = 0;
      for (Socket socket : slow) {
        String response = readResponse(socket.getInputStream());
        assertThat(response).startsWith("HTTP/1.1 408");
        JsonNode error = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(error.at("/error/code").asText()).isEqualTo("request_timeout");
        timedOut++;
      }
      assertThat(timedOut).isEqualTo(SLOW_CLIENTS);
      assertThat(api.get("/health/ready").status()).isEqualTo(200);
    } finally {
      trickle.shutdownNow();
      for (Socket socket : slow) {
        socket.close();
      }
    }
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
