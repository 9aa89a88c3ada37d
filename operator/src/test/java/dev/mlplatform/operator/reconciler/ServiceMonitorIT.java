package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.ModelServerOperator;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.MonitoringSpec;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.Conflicts;
import dev.mlplatform.operator.testing.Kubelet;
import dev.mlplatform.operator.testing.RealCluster;
import dev.mlplatform.operator.testing.ServiceMonitorCrd;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.monitoring on a real API server, with and without the Prometheus Operator's ServiceMonitor
 * API ({@link ServiceMonitorCrd}). Whether that API is served is a property of the whole cluster,
 * so each test installs or removes it first and starts an operator of its own; the operator re-asks
 * API discovery every second here (production: every minute).
 */
class ServiceMonitorIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.apiServerOnly();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private String ns;
  private KubernetesClient client;
  private KubernetesClient operatorClient;
  private ModelServerOperator operator;
  private SimpleMeterRegistry registry;

  private void start(boolean serviceMonitorCrd) {
    ns = cluster.namespace();
    client = cluster.client();
    if (serviceMonitorCrd) {
      ServiceMonitorCrd.install(client);
    }
    registry = new SimpleMeterRegistry();
    OperatorConfig config =
        OperatorConfig.fromEnv(
            Map.of(
                "LEADER_ELECTION", "false",
                "DEFAULT_SERVER_IMAGE", TestModelServers.DEFAULT_IMAGE,
                "RECONCILE_THREADS", "2",
                "MONITORING_API_CHECK_INTERVAL", "1s"));
    operatorClient = cluster.newClient("mlplatform-operator");
    operator = ModelServerOperator.create(operatorClient, config, registry, Clock.systemUTC());
    operator.start();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      // its ModelServers go with the namespace, after this operator stopped
      client.resources(ModelServer.class).inNamespace(ns).delete();
      operator.stop();
      operatorClient.close();
    }
    if (client != null) {
      ServiceMonitorCrd.remove(client);
    }
  }

  private ModelServer create(String name, Consumer<ModelServer> customize) {
    ModelServer server = Children.minimal(name, ns);
    customize.accept(server);
    return client.resource(server).create();
  }

  private ModelServer get(String name) {
    return client.resources(ModelServer.class).inNamespace(ns).withName(name).get();
  }

  private GenericKubernetesResource serviceMonitor(String name) {
    return client
        .genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
        .inNamespace(ns)
        .withName(name)
        .get();
  }

  private static Optional<Condition> condition(ModelServer server, String type) {
    if (server == null || server.getStatus() == null) {
      return Optional.empty();
    }
    return server.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst();
  }

  private List<Event> events(String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getReason().equals(reason))
        .toList();
  }

  /** The kubelet reports the ReplicaSet's pods ready. */
  private void podsReady(String name) {
    for (Pod pod : Kubelet.awaitPods(client, ns, name)) {
      Kubelet.ready(client, pod);
    }
  }

  private double counter(String name, String tag, String value) {
    return Optional.ofNullable(registry.find(name).tag(tag, value).counter())
        .map(Counter::count)
        .orElse(0.0);
  }

  @Test
  void service_monitor_scrapes_the_metrics_port_of_the_model_servers_own_service() {
    start(true);
    ModelServer server =
        create(
            "embeddings",
            s -> {
              MonitoringSpec monitoring = new MonitoringSpec();
              monitoring.setLabels(Map.of("release", "kube-prometheus-stack"));
              s.getSpec().setMonitoring(monitoring);
            });

    await().atMost(TIMEOUT).ignoreExceptions().until(() -> serviceMonitor("embeddings") != null);
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(() -> client.services().inNamespace(ns).withName("embeddings").get() != null);
    GenericKubernetesResource monitor = serviceMonitor("embeddings");
    Service service = client.services().inNamespace(ns).withName("embeddings").get();

    assertThat(monitor.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getUid()).isEqualTo(server.getMetadata().getUid());
              assertThat(ref.getKind()).isEqualTo("ModelServer");
              assertThat(ref.getController()).isTrue();
            });
    assertThat(monitor.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "model-server")
        .containsEntry("app.kubernetes.io/instance", "embeddings")
        .containsEntry("app.kubernetes.io/component", "inference")
        .containsEntry("app.kubernetes.io/managed-by", "mlplatform-operator")
        .as("for the Prometheus' serviceMonitorSelector")
        .containsEntry("release", "kube-prometheus-stack");
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    assertThat(service.getMetadata().getLabels())
        .as("the ServiceMonitor's selector matches the Service")
        .containsAllEntriesOf(selector);
    assertThat(client.services().inNamespace(ns).list().getItems())
        .filteredOn(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .extracting(s -> s.getMetadata().getName())
        .containsExactly("embeddings");
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertThat(endpoints)
        .singleElement()
        .satisfies(
            endpoint -> {
              assertThat(endpoint)
                  .containsEntry("port", "metrics")
                  .containsEntry("path", "/metrics")
                  .containsEntry("interval", "30s");
              ServicePort port =
                  service.getSpec().getPorts().stream()
                      .filter(p -> p.getName().equals(endpoint.get("port")))
                      .findFirst()
                      .orElseThrow();
              assertThat(port.getTargetPort().getStrVal()).isEqualTo("metrics");
              assertThat(port.getPort()).isEqualTo(9090);
            });
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Condition ready = condition(get("embeddings"), "MonitoringReady").orElseThrow();
              assertThat(ready.getStatus()).isEqualTo("True");
              assertThat(ready.getReason()).isEqualTo("ServiceMonitorReady");
              assertThat(ready.getMessage()).contains("ServiceMonitor embeddings", "every 30s");
              assertThat(events("Created"))
                  .anyMatch(e -> e.getMessage().contains("ServiceMonitor embeddings"));
            });
  }

  @Test
  void hand_edited_or_deleted_service_monitor_is_restored() {
    start(true);
    create("embeddings", s -> {});
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> serviceMonitor("embeddings") != null);

    Conflicts.retry(
        () ->
            client
                .genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
                .inNamespace(ns)
                .withName("embeddings")
                .edit(
                    m -> {
                      List<Map<String, Object>> endpoints = m.get("spec", "endpoints");
                      endpoints.get(0).put("interval", "5m");
                      endpoints.get(0).put("port", "http");
                      return m;
                    }));
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(
                        serviceMonitor("embeddings")
                            .<List<Map<String, Object>>>get("spec", "endpoints"))
                    .singleElement()
                    .satisfies(
                        e ->
                            assertThat(e)
                                .containsEntry("interval", "30s")
                                .containsEntry("port", "metrics")));

    String uid = serviceMonitor("embeddings").getMetadata().getUid();
    client
        .genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
        .inNamespace(ns)
        .withName("embeddings")
        .delete();
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(serviceMonitor("embeddings").getMetadata().getUid()).isNotEqualTo(uid));
  }

  @Test
  void disabled_monitoring_has_no_service_monitor_and_disabling_deletes_it() {
    start(true);
    create("on", s -> {});
    create(
        "off",
        s -> {
          MonitoringSpec monitoring = new MonitoringSpec();
          monitoring.setEnabled(false);
          s.getSpec().setMonitoring(monitoring);
        });
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> serviceMonitor("on") != null);
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(() -> get("off").getStatus() != null && condition(get("off"), "Ready").isPresent());
    assertThat(serviceMonitor("off")).isNull();
    assertThat(condition(get("off"), "MonitoringReady"))
        .as("no MonitoringReady condition while monitoring is off")
        .isEmpty();

    Conflicts.retry(
        () ->
            client
                .resources(ModelServer.class)
                .inNamespace(ns)
                .withName("on")
                .edit(
                    s -> {
                      MonitoringSpec monitoring = new MonitoringSpec();
                      monitoring.setEnabled(false);
                      s.getSpec().setMonitoring(monitoring);
                      return s;
                    }));

    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(serviceMonitor("on")).isNull();
              assertThat(condition(get("on"), "MonitoringReady")).isEmpty();
              assertThat(events("Deleted"))
                  .anyMatch(e -> e.getMessage().equals("Deleted ServiceMonitor on"));
            });
    assertThat(client.services().inNamespace(ns).withName("on").get())
        .as("only the ServiceMonitor goes")
        .isNotNull();
  }

  @Test
  void without_the_crd_the_model_server_is_ready_and_says_once_why_it_has_no_service_monitor() {
    start(false);
    create("embeddings", s -> {});
    podsReady("embeddings");

    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ModelServer server = get("embeddings");
              assertThat(condition(server, "Ready").orElseThrow().getStatus()).isEqualTo("True");
              assertThat(condition(server, "Degraded").orElseThrow().getStatus())
                  .isEqualTo("False");
              Condition monitoring = condition(server, "MonitoringReady").orElseThrow();
              assertThat(monitoring.getStatus()).isEqualTo("False");
              assertThat(monitoring.getReason()).isEqualTo("ServiceMonitorCRDMissing");
              assertThat(monitoring.getMessage())
                  .contains("servicemonitors.monitoring.coreos.com", "prometheus.io/scrape");
              assertThat(events("ServiceMonitorCRDMissing"))
                  .singleElement()
                  .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
            });

    // The operator re-checks every second: reconciliations continue, but nothing is written.
    String version = get("embeddings").getMetadata().getResourceVersion();
    double reconciled = counter("mlplatform.operator.reconciliations", "outcome", "ready");
    double statusWrites = counter("mlplatform.operator.status.updates", "result", "written");
    await()
        .pollDelay(Duration.ofSeconds(3))
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(
            () -> counter("mlplatform.operator.reconciliations", "outcome", "ready") > reconciled);
    assertThat(get("embeddings").getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(counter("mlplatform.operator.status.updates", "result", "written"))
        .isEqualTo(statusWrites);
    assertThat(counter("mlplatform.operator.reconciliations", "outcome", "error")).isZero();
    assertThat(events("ServiceMonitorCRDMissing")).hasSize(1);
    assertThat(events("ReconcileFailed")).isEmpty();
  }

  @Test
  void crd_installed_after_the_operator_started_gets_service_monitors_without_a_restart() {
    start(false);
    create("embeddings", s -> {});
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(
            () ->
                condition(get("embeddings"), "MonitoringReady")
                    .map(c -> c.getReason().equals("ServiceMonitorCRDMissing"))
                    .orElse(false));

    ServiceMonitorCrd.install(client);

    await().atMost(TIMEOUT).ignoreExceptions().until(() -> serviceMonitor("embeddings") != null);
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(
                        condition(get("embeddings"), "MonitoringReady").orElseThrow().getStatus())
                    .isEqualTo("True"));
  }
}
