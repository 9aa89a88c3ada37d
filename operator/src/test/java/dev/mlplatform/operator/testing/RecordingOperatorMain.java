package dev.mlplatform.operator.testing;

import com.sun.net.httpserver.HttpServer;
import dev.mlplatform.operator.OperatorRuntime;
import dev.mlplatform.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator as {@code OperatorMain} runs it (settings from the environment, credentials from the
 * kubeconfig or the pod, {@link OperatorRuntime} until SIGTERM, exit 1 when it cannot start), with
 * every request of its client recorded ({@link ApiCalls}): served as text at {@code GET /calls} on
 * 127.0.0.1:{@code API_CALLS_PORT}, and each refused request appended at once to the file {@code
 * API_CALLS_JOURNAL}. Started by {@link RecordingOperator} from the shaded jar and the test
 * classes, in a JVM of its own: JOSDK ends the JVM when an informer fails for good, as it should in
 * a pod.
 */
public final class RecordingOperatorMain {

  private static final Logger log = LoggerFactory.getLogger(RecordingOperatorMain.class);

  private RecordingOperatorMain() {}

  public static void main(String[] args) throws Exception {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      log.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
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
    KubernetesClient client = calls.install(new KubernetesClientBuilder()).build();
    OperatorRuntime runtime = new OperatorRuntime(client, config, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    runtime.close();
                  } finally {
                    client.close();
                    server.stop(0);
                    stopped.countDown();
                  }
                },
                "shutdown"));
    try {
      runtime.start();
    } catch (RuntimeException e) {
      log.error("cannot start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    log.info("operator started; management port {}", runtime.managementPort());
    stopped.await();
  }
}
