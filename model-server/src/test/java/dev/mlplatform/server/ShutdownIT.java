package dev.mlplatform.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ApiClient.Reply;
import dev.mlplatform.server.testing.ServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
  void after_sigterm_responses_close_kept_alive_connections_so_clients_reconnect_elsewhere()
      throws Exception {
    server = ServerProcess.start(Map.of("SHUTDOWN_DRAIN_SECONDS", "3"));
    ApiClient api = server.awaitReady();
    try (Socket socket = new Socket("127.0.0.1", server.httpPort())) {
      socket.setSoTimeout(30_000);
      String before = exchange(socket);
      assertThat(before).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");

      server.process().destroy(); // SIGTERM
      await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/health/ready").status() == 503);

      // the same kept-alive connection, during the drain period: served, and closed after
      String during = exchange(socket);
      assertThat(during).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
      assertThat(socket.getInputStream().read())
          .as("the server closed the connection")
          .isEqualTo(-1);
    }
  }

  /** One keep-alive POST /predict on {@code socket}; the status line and headers of the answer. */
  private static String exchange(Socket socket) throws IOException {
    byte[] bytes = "{\"texts\": [\"kept alive\"]}".getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + bytes.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    java.io.InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the headers ended: '" + head + "'");
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    if (!length.find()) {
      throw new IOException("no Content-Length: '" + head + "'");
    }
    in.readNBytes(Integer.parseInt(length.group(1)));
    return head.toString();
  }

  /** What one client saw: statuses, and requests lost after the server had taken them. */
  record ClientLog(List<Integer> statuses, List<String> dropped) {}

  @Test
  void sigterm_under_continuous_load_drops_no_request_and_turns_readiness_503_before_closing()
      throws Exception {
    server = ServerProcess.start(Map.of("SHUTDOWN_DRAIN_SECONDS", "2"));
    ApiClient api = server.awaitReady();
    int port = server.httpPort();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<Future<ClientLog>> logs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // Like a client behind a Service: keep sending until told to go elsewhere (503) or until
      // the listener is gone (connection refused).
      logs.add(
          clients.submit(
              () -> {
                List<Integer> statuses = new ArrayList<>();
                List<String> dropped = new ArrayList<>();
                while (true) {
                  Socket socket;
                  try {
                    socket = new Socket("127.0.0.1", port);
                  } catch (ConnectException refused) {
                    return new ClientLog(statuses, dropped);
                  }
                  try (socket) {
                    socket.setSoTimeout(60_000);
                    int status = post(socket, "{\"texts\": [\"a request under load\"]}");
                    statuses.add(status);
                    if (status == 503) {
                      return new ClientLog(statuses, dropped);
                    }
                  } catch (IOException e) {
                    dropped.add(e.toString());
                    return new ClientLog(statuses, dropped);
                  }
                }
              }));
    }
    Thread.sleep(1_000); // load established
    long signalled = System.nanoTime();
    server.process().destroy(); // SIGTERM
    long notReady = 0;
    while (notReady == 0 && System.nanoTime() - signalled < 10_000_000_000L) {
      if (api.get("/health/ready").status() == 503) {
        notReady = System.nanoTime();
      }
    }
    assertThat(notReady).as("readiness turned 503 within 10 s of SIGTERM").isPositive();

    List<Integer> statuses = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (Future<ClientLog> log : logs) {
      ClientLog client = log.get(90, TimeUnit.SECONDS);
      statuses.addAll(client.statuses());
      dropped.addAll(client.dropped());
    }
    clients.shutdownNow();

    assertThat(dropped).as("requests lost after the server took them").isEmpty();
    assertThat(statuses).containsOnly(200, 503);
    assertThat(statuses.stream().filter(s -> s == 200).count()).isGreaterThan(8);
    assertThat((notReady - signalled) / 1e9).as("seconds to readiness 503").isLessThan(1.5);
    assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(server.process().exitValue()).as(server.log()).isZero();
  }

  /** One HTTP/1.1 POST /predict with {@code Connection: close}; returns the status. */
  private static int post(Socket socket, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: "
                + bytes.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!response.startsWith("HTTP/1.1 ") || !response.contains("\r\n\r\n{")) {
      throw new IOException("incomplete response: '" + response + "'");
    }
    return Integer.parseInt(response.substring(9, 12));
  }

  @Test
  void an_invalid_setting_stops_start_up_with_a_message_naming_the_variable() throws Exception {
    server = ServerProcess.start(Map.of("MAX_BATCH_SIZE", "lots"));

    assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.process().exitValue()).isEqualTo(2);
    assertThat(server.log()).contains("MAX_BATCH_SIZE").contains("lots");
  }

  @Test
  void
      a_model_that_cannot_load_exits_3_with_the_reason_on_the_last_line_and_as_termination_message()
          throws Exception {
    // the kubelet's file exists and is writable in a container; here a file stands in for it
    Path terminationLog = Files.createTempFile("termination-log", "");
    try {
      server =
          ServerProcess.start(
              Map.of(
                  "MODEL_URI",
                  "file:///nonexistent/model",
                  "TERMINATION_LOG",
                  terminationLog.toString()));

      assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(server.process().exitValue()).isEqualTo(3);
      List<String> lines = server.log().strip().lines().toList();
      assertThat(lines.get(lines.size() - 1))
          .contains("cannot load the model")
          .contains("/nonexistent/model");
      assertThat(Files.readString(terminationLog))
          .as("one line, the reason only: what kubectl describe and the ModelServer status show")
          .startsWith("cannot load the model: ")
          .contains("/nonexistent/model")
          .doesNotContain("\n")
          .doesNotContain("listening");
    } finally {
      Files.deleteIfExists(terminationLog);
    }
  }
}
