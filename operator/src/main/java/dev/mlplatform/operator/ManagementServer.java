package dev.mlplatform.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's management port: {@code /metrics} (Prometheus text), {@code /healthz} (liveness)
 * and {@code /readyz} (readiness). A plain JDK HTTP server: three routes need no framework.
 */
public final class ManagementServer implements AutoCloseable {

  /** What a health route reports: healthy or not, and a one-line reason. */
  public record Health(boolean ok, String detail) {}

  private final HttpServer server;

  public ManagementServer(
      int port,
      PrometheusMeterRegistry registry,
      Supplier<Health> liveness,
      Supplier<Health> readiness)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "management-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/healthz", exchange -> health(exchange, liveness.get()));
    server.createContext("/readyz", exchange -> health(exchange, readiness.get()));
  }

  public void start() {
    server.start();
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static void health(HttpExchange exchange, Health health) throws IOException {
    respond(
        exchange,
        health.ok() ? 200 : 503,
        "text/plain; charset=utf-8",
        (health.ok() ? "ok" : "unhealthy") + ": " + health.detail() + "\n");
  }

  private static void respond(HttpExchange exchange, int code, String contentType, String body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(code, -1);
        return;
      }
      exchange.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
