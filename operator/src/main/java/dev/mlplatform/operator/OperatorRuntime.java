package dev.mlplatform.operator;

import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.externalmetrics.ExternalMetricsApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: the JOSDK operator, its metrics registry and the management server, started
 * and stopped together. Readiness turns false first on shutdown, so no new work is routed here.
 */
public final class OperatorRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OperatorRuntime.class);

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final Clock clock;
  private final PrometheusMeterRegistry registry;
  private final ModelServerOperator operator;
  private final ManagementServer management;
  private Optional<ExternalMetricsApi> externalMetrics = Optional.empty();
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final String identity = leaderIdentity();

  public OperatorRuntime(KubernetesClient client, OperatorConfig config, Clock clock) {
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("mlplatform.operator.info", () -> 1)
        .description("Operator build and settings")
        .tag("version", version())
        .tag("leader_election", String.valueOf(config.leaderElection()))
        .register(registry);
    Gauge.builder("mlplatform.operator.leader", () -> leading.get() ? 1 : 0)
        .description("1 while this replica holds the leader Lease (always 1 without election)")
        .register(registry);
    if (!config.leaderElection()) {
      leading.set(true);
    }
    this.operator =
        ModelServerOperator.create(
            client,
            config,
            registry,
            clock,
            new LeaderCallbacks(
                () -> {
                  leading.set(true);
                  log.info("leading: reconciling ModelServers");
                },
                this::lostLeadership,
                leader -> log.info("leader is {}", leader)),
            identity);
    try {
      this.management =
          new ManagementServer(config.managementPort(), registry, this::liveness, this::readiness);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on MANAGEMENT_PORT " + config.managementPort(), e);
    }
  }

  /**
   * A leader that lost its Lease must stop reconciling at once, or two replicas would write the
   * same children: exit and let the Deployment restart the pod as a follower. Losing it because we
   * are shutting down is expected.
   */
  private void lostLeadership() {
    leading.set(false);
    if (stopping.get()) {
      return;
    }
    log.error("lost the leader Lease; exiting so that only one replica reconciles");
    Thread exit = new Thread(() -> System.exit(1), "lost-leadership-exit");
    exit.start();
  }

  public void start() {
    management.start();
    operator.start();
    externalMetrics =
        ExternalMetricsApi.start(
            client, config.externalMetrics(), operator.externalMetrics(), registry, clock);
  }

  public int managementPort() {
    return management.port();
  }

  /**
   * Alive unless an informer has stopped for good; a restart then rebuilds the caches. An API
   * server that cannot be reached is not a reason to restart: the informers reconnect by
   * themselves, and a restarted operator could not start without the API server either. Readiness
   * reports it.
   */
  ManagementServer.Health liveness() {
    if (!operator.runtimeInfo().isStarted()) {
      return new ManagementServer.Health(true, "starting");
    }
    List<String> stopped = informers(i -> !i.isRunning());
    if (stopped.isEmpty()) {
      return new ManagementServer.Health(true, "informers running");
    }
    return new ManagementServer.Health(false, "stopped informers " + stopped);
  }

  /**
   * Ready once started with every informer synced and watching; not ready while stopping or while
   * the API server cannot be reached (the informers are then disconnected).
   */
  ManagementServer.Health readiness() {
    if (stopping.get()) {
      return new ManagementServer.Health(false, "stopping");
    }
    if (!operator.runtimeInfo().isStarted()) {
      return new ManagementServer.Health(false, "starting");
    }
    var runtime = operator.runtimeInfo();
    if (runtime.allEventSourcesAreHealthy()) {
      return new ManagementServer.Health(true, "informers healthy");
    }
    return new ManagementServer.Health(
        false, "unhealthy event sources " + runtime.unhealthyEventSources());
  }

  /** Names (event source and namespace) of the informers that match {@code test}. */
  private List<String> informers(Predicate<InformerHealthIndicator> test) {
    List<String> names = new ArrayList<>();
    for (var sources :
        operator.runtimeInfo().unhealthyInformerWrappingEventSourceHealthIndicator().values()) {
      for (Map.Entry<String, InformerWrappingEventSourceHealthIndicator> source :
          sources.entrySet()) {
        Map<String, InformerHealthIndicator> informers =
            source.getValue().informerHealthIndicators();
        informers.forEach(
            (namespace, informer) -> {
              if (test.test(informer)) {
                names.add(source.getKey() + "@" + namespace);
              }
            });
      }
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public void close() {
    boolean led = stopping.compareAndSet(false, true) && config.leaderElection() && leading.get();
    try {
      operator.stop();
      if (led) {
        new LeaseRelease(
                client,
                Optional.ofNullable(config.leaseNamespace())
                    .orElseGet(() -> client.getConfiguration().getNamespace()),
                config.leaseName(),
                identity,
                clock)
            .release();
      }
    } finally {
      externalMetrics.ifPresent(ExternalMetricsApi::close);
      gcMetrics.close();
      management.close();
    }
  }

  /**
   * JOSDK's rule for a replica's name in the Lease (the pod's name, HOSTNAME, else a random one),
   * applied here so that this replica knows the name it may release the Lease under.
   */
  private static String leaderIdentity() {
    return Optional.ofNullable(System.getenv("HOSTNAME"))
        .filter(name -> !name.isBlank())
        .orElseGet(() -> UUID.randomUUID().toString());
  }

  private static String version() {
    return Optional.ofNullable(OperatorRuntime.class.getPackage().getImplementationVersion())
        .orElse("dev");
  }
}
