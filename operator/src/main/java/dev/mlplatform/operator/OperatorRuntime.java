package dev.mlplatform.operator;

import dev.mlplatform.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: the JOSDK operator, its metrics registry and the management server, started
 * and stopped together. Readiness turns false first on shutdown, so no new work is routed here.
 */
public final class OperatorRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Operator operator;
  private final ManagementServer management;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean leading = new AtomicBoolean();

  public OperatorRuntime(KubernetesClient client, OperatorConfig config, Clock clock) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
                leader -> log.info("leader is {}", leader)));
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
  }

  public int managementPort() {
    return management.port();
  }

  /** Alive unless an informer has failed for good; a restart then rebuilds the caches. */
  ManagementServer.Health liveness() {
    if (!operator.getRuntimeInfo().isStarted()) {
      return new ManagementServer.Health(true, "starting");
    }
    return informerHealth();
  }

  /** Ready once started with every informer watching; not ready while stopping. */
  ManagementServer.Health readiness() {
    if (stopping.get()) {
      return new ManagementServer.Health(false, "stopping");
    }
    if (!operator.getRuntimeInfo().isStarted()) {
      return new ManagementServer.Health(false, "starting");
    }
    return informerHealth();
  }

  private ManagementServer.Health informerHealth() {
    var runtime = operator.getRuntimeInfo();
    if (runtime.allEventSourcesAreHealthy()) {
      return new ManagementServer.Health(true, "informers healthy");
    }
    return new ManagementServer.Health(
        false, "unhealthy event sources " + runtime.unhealthyEventSources());
  }

  @Override
  public void close() {
    stopping.set(true);
    try {
      operator.stop();
    } finally {
      gcMetrics.close();
      management.close();
    }
  }

  private static String version() {
    return Optional.ofNullable(OperatorRuntime.class.getPackage().getImplementationVersion())
        .orElse("dev");
  }
}
