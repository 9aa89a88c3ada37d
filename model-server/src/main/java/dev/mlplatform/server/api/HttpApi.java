package dev.mlplatform.server.api;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mlplatform.server.config.ServerConfig;
import dev.mlplatform.server.lifecycle.Phase;
import dev.mlplatform.server.lifecycle.ServerState;
import dev.mlplatform.server.metrics.ServerMetrics;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.eclipse.jetty.servlet.FilterHolder;

/**
 * The HTTP API on {@code HTTP_PORT}, built from injected parts so tests can start it on port 0.
 * Every error, whatever raised it, leaves through {@link ErrorResponder}.
 */
public final class HttpApi implements AutoCloseable {
  /** A blocked body read or response write with no progress for this long fails the request. */
  static final Duration BLOCKING_IO_TIMEOUT = Duration.ofSeconds(10);

  private static final Set<String> ROUTES =
      Set.of(
          "/predict",
          "/v1/embeddings",
          "/embed",
          "/v1/models",
          "/info",
          "/health/live",
          "/health/ready");

  private final Javalin app;

  public HttpApi(ServerConfig config, ServerState state, ServerMetrics metrics, String version) {
    // Schubfach float formatting instead of Float.toString: embeddings are mostly floats
    ObjectMapper mapper =
        JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();
    JsonRequests requests =
        new JsonRequests(mapper, config.maxRequestBytes(), config.maxInputsPerRequest());
    JsonResponses responses = new JsonResponses(mapper.writer());
    EmbeddingGateway gateway = new EmbeddingGateway(state);
    PredictRoute predict = new PredictRoute(requests, responses, gateway);
    OpenAiRoutes openAi =
        new OpenAiRoutes(requests, responses, gateway, System.currentTimeMillis() / 1000);
    TeiEmbedRoute tei = new TeiEmbedRoute(requests, responses, gateway);
    InfoRoutes info = new InfoRoutes(config, state, gateway, version);
    ErrorResponder errors = new ErrorResponder(metrics);

    this.app =
        Javalin.create(
            c -> {
              c.showJavalinBanner = false;
              c.jsonMapper(new JavalinJackson(mapper, false));
              c.http.maxRequestSize = config.maxRequestBytes();
              // A client whose body stops arriving gets 408 after this much silence (bodies still
              // arriving are read without a thread: BodyBufferingFilter). Jetty's minimum data rate
              // is no use here: it counts from the first byte to the moment the handler reads, so
              // a small body read a few ms late under load would get a false 408.
              c.jetty.modifyHttpConfiguration(
                  http -> http.setIdleTimeout(BLOCKING_IO_TIMEOUT.toMillis()));
              // embeddings are served to peers in the cluster: CPU beats bytes on the wire
              c.http.disableCompression();
              RequestMetricsFilter filter = new RequestMetricsFilter(metrics, ROUTES);
              BodyBufferingFilter bodies = new BodyBufferingFilter(config.maxRequestBytes());
              c.jetty.modifyServletContextHandler(
                  h -> {
                    h.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
                    // after the metrics filter: a request is counted from its first dispatch
                    h.addFilter(
                        new FilterHolder(bodies),
                        "/*",
                        EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
                  });
            });
    // From SIGTERM on, every response closes its connection. A kept-alive connection through a
    // Service is pinned to this pod (conntrack): its client would keep landing here and, after the
    // drain period, get 503s until the process exits (seen on the e2e cluster: thousands of them
    // in a rollout). Reconnecting, it reaches a pod that stays.
    // Likewise a connection older than MAX_CONNECTION_AGE_SECONDS is closed after its response,
    // so that kept-alive clients also reach the replicas added since they connected.
    ConnectionAge connectionAge = new ConnectionAge(config.maxConnectionAge());
    app.before(
        ctx -> {
          Phase phase = state.phase();
          if (phase == Phase.DRAINING
              || phase == Phase.CLOSING
              || connectionAge.expired(ctx.req())) {
            ctx.header("Connection", "close");
          }
        });
    if (config.requiresApiKey()) {
      app.before(new ApiKeyFilter(config.apiKey())::check);
    }
    app.post("/predict", predict::handle);
    app.post("/v1/embeddings", openAi::embeddings);
    app.post("/embed", tei::handle);
    app.get("/v1/models", openAi::models);
    app.get("/info", info::info);
    app.get("/health/live", info::live);
    app.get("/health/ready", info::ready);
    app.exception(Exception.class, errors::respond);
    app.error(
        404,
        ctx -> {
          if (!ROUTES.contains(ctx.path())) {
            errors.respond(
                ApiException.notFound(
                    null, "not_found", "no route " + ctx.method() + " " + ctx.path()),
                ctx);
          }
        });
  }

  public HttpApi start(int port) {
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
