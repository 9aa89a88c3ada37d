package dev.mlplatform.server;

import dev.mlplatform.server.api.HttpApi;
import dev.mlplatform.server.config.ServerConfig;
import dev.mlplatform.server.embedding.ModelRuntime;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.lifecycle.ServerState;
import dev.mlplatform.server.metrics.MetricsServer;
import dev.mlplatform.server.metrics.ServerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server: the model starts loading at once, on its own thread, while the HTTP and metrics
 * listeners start (so liveness answers while the model loads, and the two share the start-up time
 * instead of adding up); ready when both are done. On shutdown the reverse, without dropping
 * accepted work.
 */
public final class ModelServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);

  /** Longest wait for accepted work and in-flight responses once the drain period is over. */
  private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long no request must arrive, once all are answered, before the listener closes: a client
   * answered a moment ago that comes straight back is told 503 (go elsewhere) rather than finding
   * its new connection cut.
   */
  private static final Duration QUIET_BEFORE_CLOSE = Duration.ofMillis(300);

  private final ServerConfig config;
  private final String version;
  private final ServerMetrics metrics;
  private final ServerState state;
  private final MetricsServer metricsServer;
  private final HttpApi http;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<LoadedRuntime> loading;

  /** The loaded model and how long loading and warm-up took on the loader thread. */
  private record LoadedRuntime(ModelRuntime runtime, Duration took) {}

  private volatile ModelRuntime runtime;

  /**
   * Starts loading the model and the listeners; the server answers 503 until {@link #loadModel()}
   * is done.
   */
  /**
   * @param engines the engines a model may run on
   */
  public ModelServer(ServerConfig config, EngineRegistry engines, String version) {
    this.config = config;
    this.version = version;
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new ServerMetrics(registry);
    this.state = new ServerState(metrics::setReady);
    this.loading =
        CompletableFuture.supplyAsync(
            () -> {
              long start = System.nanoTime();
              ModelRuntime loaded = ModelRuntime.load(config, engines, metrics);
              return new LoadedRuntime(loaded, Duration.ofNanos(System.nanoTime() - start));
            },
            task -> {
              Thread loader = new Thread(task, "model-loader");
              loader.setDaemon(true);
              loader.start();
            });
    this.metricsServer = new MetricsServer(registry).start(config.metricsPort());
    this.http = new HttpApi(config, state, metrics, version).start(config.httpPort());
    LOG.info("listening: http on {}, metrics on {}", http.port(), metricsServer.port());
  }

  /**
   * Waits for the model to be loaded and warmed up, then reports ready.
   *
   * @throws RuntimeException what loading the model threw (a {@code ModelLoadException} when the
   *     model cannot be found, unpacked or loaded)
   */
  public void loadModel() {
    LoadedRuntime done;
    try {
      done = loading.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
    ModelRuntime loaded = done.runtime();
    Duration took = done.took();
    this.runtime = loaded;
    metrics.modelLoaded(config.modelId(), loaded.loaded().engine(), version, took);
    state.ready(loaded.loaded());
    LOG.info(
        "ready in {} ms from process start (model load and warm-up {} ms, beside the listeners)",
        ManagementFactory.getRuntimeMXBean().getUptime(),
        took.toMillis());
  }

  public int httpPort() {
    return http.port();
  }

  public int metricsPort() {
    return metricsServer.port();
  }

  /**
   * The SIGTERM sequence: readiness turns 503 at once while requests are still served for the drain
   * period (endpoints need that long to drop the pod), then new work is refused, accepted work is
   * finished and answered, and the listeners close.
   */
  public void shutdown() throws InterruptedException {
    if (!shuttingDown.compareAndSet(false, true)) {
      return; // a second signal changes nothing; the first shutdown carries on
    }
    LOG.info(
        "shutting down: readiness is now 503; serving for {} s more",
        config.shutdownDrain().toSeconds());
    state.draining();
    if (runtime != null) {
      Thread.sleep(config.shutdownDrain().toMillis());
    }
    state.closing();
    long deadline = System.nanoTime() + FINISH_TIMEOUT.toNanos();
    ModelRuntime current = runtime;
    if (current != null && !current.drain(FINISH_TIMEOUT)) {
      LOG.warn("accepted work did not finish within {} s", FINISH_TIMEOUT.toSeconds());
    }
    awaitQuiet(deadline);
    close();
    LOG.info("stopped");
  }

  /** Waits until nothing is in flight and nothing has arrived for {@link #QUIET_BEFORE_CLOSE}. */
  private void awaitQuiet(long deadline) throws InterruptedException {
    long arrived = metrics.requestsArrived();
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      long latest = metrics.requestsArrived();
      if (latest != arrived || metrics.requestsInFlight() > 0) {
        arrived = latest;
        quietSince = now;
      } else if (now - quietSince >= QUIET_BEFORE_CLOSE.toNanos()) {
        return;
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    http.close();
    metricsServer.close();
    if (runtime != null) {
      runtime.close();
    }
    metrics.close();
  }
}
