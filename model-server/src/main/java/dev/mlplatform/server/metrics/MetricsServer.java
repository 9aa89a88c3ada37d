package dev.mlplatform.server.metrics;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Serves {@code GET /metrics} in the Prometheus text format on its own port. */
public final class MetricsServer implements AutoCloseable {
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private final Javalin app;

  public MetricsServer(PrometheusMeterRegistry registry) {
    this.app =
        Javalin.create(config -> config.showJavalinBanner = false)
            .get("/metrics", ctx -> ctx.contentType(CONTENT_TYPE).result(registry.scrape()));
  }

  public MetricsServer start(int port) {
    app.start(port);
    return this;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
