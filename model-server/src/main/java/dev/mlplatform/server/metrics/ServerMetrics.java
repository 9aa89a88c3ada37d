package dev.mlplatform.server.metrics;

import dev.mlplatform.server.batching.BatchObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The server's {@code model_server_*} meters, plus JVM and process meters, on one registry. Labels
 * are low-cardinality by construction: route templates, methods, status codes, reasons.
 */
public final class ServerMetrics implements BatchObserver, AutoCloseable {
  /** Embedding latencies run from about a millisecond (one short text) to seconds (overload). */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
    Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
  private static final double[] BATCH_TOKEN_BUCKETS = {
    64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536
  };

  private final MeterRegistry registry;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong arrived = new AtomicLong();
  private final AtomicInteger ready = new AtomicInteger();
  private final DistributionSummary batchSize;
  private final DistributionSummary batchTokens;
  private final Timer queueWait;
  private final Timer inferenceOk;
  private final Timer inferenceFailed;
  private final Counter inputs;
  private final Counter tokens;

  public ServerMetrics(MeterRegistry registry) {
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("process_resident_memory", ProcessMemory::residentBytes)
        .description("Resident set size of the server process (model weights and natives included)")
        .baseUnit("bytes")
        .register(registry);

    batchSize =
        DistributionSummary.builder("model_server_batch_size")
            .description("Inputs per forward pass")
            .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
            .register(registry);
    batchTokens =
        DistributionSummary.builder("model_server_batch_tokens")
            .description("Padded tokens (inputs x longest input) per forward pass")
            .serviceLevelObjectives(BATCH_TOKEN_BUCKETS)
            .register(registry);
    queueWait =
        latency("model_server_queue_wait", "Time an input waited for its forward pass")
            .register(registry);
    inferenceOk = inference("ok");
    inferenceFailed = inference("error");
    inputs =
        Counter.builder("model_server_inputs").description("Texts embedded").register(registry);
    tokens =
        Counter.builder("model_server_tokens")
            .description("Tokens read by the model, special tokens included, after truncation")
            .register(registry);
    Gauge.builder("model_server_requests_in_flight", inFlight, AtomicInteger::get)
        .description("HTTP requests being served")
        .register(registry);
    Gauge.builder("model_server_ready", ready, AtomicInteger::get)
        .description("1 when the server reports ready, else 0")
        .register(registry);
  }

  private Timer inference(String outcome) {
    return latency(
            "model_server_inference_duration", "Duration of one forward pass, pooling included")
        .tag("outcome", outcome)
        .register(registry);
  }

  private static Timer.Builder latency(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS);
  }

  /** Exposes the batcher's queue depth. */
  public void watchQueue(IntSupplier depth) {
    Gauge.builder("model_server_queue_depth", depth, d -> d.getAsInt())
        .description("Inputs waiting for a forward pass")
        .strongReference(true)
        .register(registry);
  }

  public void modelLoaded(String modelId, String engine, String version, Duration loadTime) {
    // Strong reference: Micrometer holds a gauge's object weakly, and nothing else keeps this
    // Duration alive, so the gauge read NaN after the first garbage collection.
    Gauge.builder("model_server_model_load", loadTime, d -> d.toNanos() / 1e9)
        .description("Seconds spent loading and warming up the model")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      // Micrometer strips an "_info" suffix from gauge names, so the info metric is registered with
      // the Prometheus client directly, as the Info type it is.
      Info.builder()
          .name("model_server_info")
          .help("The model this server serves")
          .labelNames("model", "engine", "version")
          .register(prometheus.getPrometheusRegistry())
          .addLabelValues(modelId, engine, version);
    }
  }

  public void setReady(boolean isReady) {
    ready.set(isReady ? 1 : 0);
  }

  public int requestsInFlight() {
    return inFlight.get();
  }

  /** Requests that have reached the routes since start, finished or not. */
  public long requestsArrived() {
    return arrived.get();
  }

  public void requestStarted() {
    arrived.incrementAndGet();
    inFlight.incrementAndGet();
  }

  public void requestFinished(String route, String method, int status, long nanos) {
    inFlight.decrementAndGet();
    String code = Integer.toString(status);
    Counter.builder("model_server_requests")
        .description("HTTP requests by route, method and status")
        .tag("route", route)
        .tag("method", method)
        .tag("status", code)
        .register(registry)
        .increment();
    latency("model_server_request_duration", "HTTP request latency, body read to response written")
        .tag("route", route)
        .tag("method", method)
        .tag("status", code)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void rejected(String reason) {
    Counter.builder("model_server_rejections")
        .description("Requests refused, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void recordEmbedded(int inputCount, int tokenCount) {
    inputs.increment(inputCount);
    tokens.increment(tokenCount);
  }

  @Override
  public void onBatch(int size, int paddedTokens, long inferenceNanos, boolean failed) {
    batchSize.record(size);
    batchTokens.record(paddedTokens);
    (failed ? inferenceFailed : inferenceOk).record(inferenceNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onQueueWait(long nanos) {
    queueWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    gcMetrics.close();
  }
}
