package dev.mlplatform.operator.testing;

import com.sun.net.httpserver.HttpServer;
import dev.mlplatform.operator.OperatorMain;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The operator as {@link OperatorMain} runs it (settings from the environment, credentials from the
 * kubeconfig or the pod, until SIGTERM, exit 1 when it cannot start), through its {@code run}, with
 * every request of its client recorded ({@link ApiCalls}): served as text at {@code GET /calls} on
 * 127.0.0.1:{@code API_CALLS_PORT}, and each refused request appended at once to the file {@code
 * API_CALLS_JOURNAL}. Started by {@link RecordingOperator} from the shaded jar and the test
 * classes, in a JVM of its own: JOSDK ends the JVM when an informer fails for good, as it should in
 * a pod.
 */
public final class RecordingOperatorMain {

  private RecordingOperatorMain() {}

  public static void main(String[] args) throws Exception {
    ApiCalls calls = new ApiCalls();
    String journal = System.getenv("API_CALLS_JOURNAL");
    if (journal != null) {
      calls.journal(Path.of(journal));
    }
    HttpServer server =
        HttpServer.create(
            new InetSocketAddress(
                InetAddress.getLoopbackAddress(),
                Integer.parseInt(System.getenv().getOrDefault("API_CALLS_PORT", "0"))),
            0);
    server.createContext(
        "/calls",
        exchange -> {
          byte[] body = calls.report().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    OperatorMain.run(calls::install, () -> server.stop(0));
  }
}
