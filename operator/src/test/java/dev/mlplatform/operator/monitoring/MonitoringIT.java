package dev.mlplatform.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlplatform.operator.Golden;
import dev.mlplatform.operator.OperatorRuntime;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.monitoring.MonitoringAssets.Alert;
import dev.mlplatform.operator.monitoring.MonitoringAssets.Query;
import dev.mlplatform.operator.testing.DeploymentController;
import dev.mlplatform.operator.testing.Fault;
import dev.mlplatform.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboards and alerts against a real Prometheus scraping the real processes: the model server
 * jar and the operator (against the mock API server), scraped as the ServiceMonitors would (same
 * labels, same honorLabels), with real traffic and three ModelServers: one ready, one with an
 * invalid spec, one whose writes fail. Every dashboard query and alert expression is then evaluated
 * through Prometheus's HTTP API.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MonitoringIT {

  private static final Logger log = LoggerFactory.getLogger(MonitoringIT.class);

  private static final Path SERVER_JAR =
      Golden.repoRoot().resolve("model-server/target/model-server.jar");
  private static final String NAMESPACE = "team-a";
  private static final String MODEL_SERVER = "minilm";
  private static final String POD = "minilm-7c9d8f6b5-q2x7k";
  private static final String OPERATOR_NAMESPACE = "mlplatform-system";
  private static final String OPERATOR_JOB = "mlplatform-operator-metrics";
  private static final String RATE_INTERVAL = "1m";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static Path work;
  private static Process server;
  private static Process prometheus;
  private static MockCluster cluster;
  private static OperatorRuntime operator;
  private static int httpPort;
  private static int metricsPort;
  private static int prometheusPort;
  private static final Map<Integer, AtomicInteger> answered = new ConcurrentHashMap<>();
  private static String serverMetrics;
  private static String operatorMetrics;

  @BeforeAll
  static void start_the_processes_and_send_traffic() throws Exception {
    assertThat(SERVER_JAR)
        .as("the model server jar (make test builds it first; alone: make build)")
        .exists();
    Path prometheusBinary = MonitoringAssets.tool("prometheus");
    long started = System.nanoTime();
    work = Files.createTempDirectory("monitoring-it");
    httpPort = freePort();
    metricsPort = freePort();
    prometheusPort = freePort();

    try {
      server = startServer();
      cluster = MockCluster.start();
      operator = startOperator();
      prometheus = startPrometheus(prometheusBinary, operator.managementPort());

      awaitOk("Prometheus", "http://127.0.0.1:" + prometheusPort + "/-/ready", 30);
      awaitOk("the operator", "http://127.0.0.1:" + operator.managementPort() + "/readyz", 30);
      createModelServers();
      awaitOk("the model server", "http://127.0.0.1:" + httpPort + "/health/ready", 120);
      sendTraffic();
      awaitPrometheusSeesTheWorld();
    } catch (Throwable e) {
      // the work directory goes in @AfterAll: show what the processes said first
      for (String logFile : List.of("model-server.log", "prometheus.log")) {
        Path file = work.resolve(logFile);
        if (Files.exists(file)) {
          List<String> lines = Files.readAllLines(file);
          System.err.println("--- last lines of " + logFile);
          lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(System.err::println);
        }
      }
      throw e;
    }

    serverMetrics = get("http://127.0.0.1:" + metricsPort + "/metrics").body();
    operatorMetrics = get("http://127.0.0.1:" + operator.managementPort() + "/metrics").body();
    log.info(
        "monitoring world ready in {} ms; answers by status {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        answered);
  }

  @AfterAll
  static void stop_everything() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (server != null) {
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (operator != null) {
      operator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (work != null) {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void both_processes_are_scraped_with_the_labels_of_a_servicemonitor_scrape() throws Exception {
    assertThat(query("up"))
        .extracting(r -> r.at("/metric/job").asText() + "=" + r.at("/value/1").asText())
        .containsExactlyInAnyOrder(MODEL_SERVER + "=1", OPERATOR_JOB + "=1");
    assertThat(
            query(
                "model_server_info{namespace=\"team-a\", service=\"minilm\", pod=\""
                    + POD
                    + "\", job=\"minilm\"}"))
        .singleElement()
        .satisfies(r -> assertThat(r.at("/metric/engine").asText()).isEqualTo("OnnxRuntime"));
    // honorLabels: per-ModelServer operator series keep the ModelServer's namespace, the
    // operator's own series get the operator's
    assertThat(query("mlplatform_operator_modelserver_condition{namespace=\"team-b\"}"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.at("/metric/modelserver").asText()).isEqualTo("flaky"));
    assertThat(query("mlplatform_operator_info{namespace=\"" + OPERATOR_NAMESPACE + "\"}"))
        .hasSize(1);
  }

  @TestFactory
  Stream<DynamicTest> every_dashboard_query_returns_data_or_evaluates_for_cluster_metrics() {
    List<DynamicTest> tests = new ArrayList<>();
    Map<String, Map<String, String>> selections =
        Map.of(
            "mlplatform-model-servers",
            Map.of("namespace", NAMESPACE, "modelserver", MODEL_SERVER),
            "mlplatform-operator",
            // what Grafana sends for a multi-value selection
            Map.of(
                "job",
                OPERATOR_JOB,
                "namespace",
                "(team-a|team-b)",
                "modelserver",
                "(minilm|broken|flaky)"));
    for (Path file : MonitoringAssets.dashboardFiles()) {
      JsonNode dashboard = MonitoringAssets.dashboard(file);
      Map<String, String> selection = selections.get(dashboard.get("uid").asText());
      for (Query query : MonitoringAssets.panelQueries(dashboard)) {
        String expr = MonitoringAssets.substitute(query.expr(), selection, RATE_INTERVAL);
        tests.add(
            DynamicTest.dynamicTest(
                query.toString(),
                () -> {
                  List<JsonNode> result = query(expr);
                  if (!usesClusterMetrics(expr)) {
                    assertThat(result).as("%s returns data:%n%s", query, expr).isNotEmpty();
                    assertThat(result)
                        .as("%s has a number:%n%s%n%s", query, expr, result)
                        .anySatisfy(r -> assertThat(value(r)).isFinite());
                  }
                }));
      }
    }
    return tests.stream();
  }

  @Test
  void dashboard_variables_offer_the_scraped_namespaces_and_modelservers() throws Exception {
    Map<String, List<String>> offered = new LinkedHashMap<>();
    Map<String, Map<String, String>> selections =
        Map.of(
            "mlplatform-model-servers",
            Map.of("namespace", NAMESPACE),
            "mlplatform-operator",
            Map.of("job", OPERATOR_JOB, "namespace", ".*"));
    for (Path file : MonitoringAssets.dashboardFiles()) {
      JsonNode dashboard = MonitoringAssets.dashboard(file);
      for (var variable : MonitoringAssets.variableQueries(dashboard).entrySet()) {
        String expr =
            MonitoringAssets.substitute(
                variable.getValue().expr(),
                selections.get(dashboard.get("uid").asText()),
                RATE_INTERVAL);
        String label = expr.substring(expr.indexOf('(') + 1, expr.indexOf(')'));
        offered.put(
            dashboard.get("uid").asText() + "/" + variable.getKey(),
            query(expr).stream().map(r -> r.at("/metric/" + label).asText()).sorted().toList());
      }
    }
    assertThat(offered)
        .containsEntry("mlplatform-model-servers/namespace", List.of("team-a"))
        .containsEntry("mlplatform-model-servers/modelserver", List.of("minilm"))
        .containsEntry("mlplatform-operator/job", List.of(OPERATOR_JOB))
        .containsEntry("mlplatform-operator/namespace", List.of("team-a", "team-b"))
        .containsEntry("mlplatform-operator/modelserver", List.of("broken", "flaky", "minilm"));
  }

  @TestFactory
  Stream<DynamicTest> every_alert_expression_evaluates_and_its_input_exists() {
    return MonitoringAssets.alerts().stream()
        .map(
            alert ->
                DynamicTest.dynamicTest(
                    alert.name(),
                    () -> {
                      List<JsonNode> raw = query(alert.expr());
                      assertThat(raw).isNotNull();
                      if (!usesClusterMetrics(alert.expr())) {
                        // the series the alert compares exist, with the labels it groups by
                        String signal = MonitoringAssets.asBoolSignal(alert.expr());
                        assertThat(query(signal)).as("%s:%n%s", alert, signal).isNotEmpty();
                      }
                    }));
  }

  @Test
  void alerts_fire_for_the_broken_modelservers_and_the_429s_only() throws Exception {
    Map<String, Alert> alerts =
        MonitoringAssets.alerts().stream().collect(Collectors.toMap(Alert::name, a -> a));

    assertThat(query(alerts.get("ModelServerDegraded").expr()))
        .extracting(
            r ->
                r.at("/metric/namespace").asText()
                    + "/"
                    + r.at("/metric/modelserver").asText()
                    + " "
                    + r.at("/metric/reason").asText())
        .containsExactlyInAnyOrder("team-a/broken InvalidSpec", "team-b/flaky ReconcileFailed");
    assertThat(query(alerts.get("MLPlatformOperatorReconcileErrors").expr()))
        .extracting(r -> r.at("/metric/namespace").asText() + " " + r.at("/metric/job").asText())
        .containsExactly(OPERATOR_NAMESPACE + " " + OPERATOR_JOB);
    assertThat(query(alerts.get("ModelServerRejectingRequests").expr()))
        .extracting(
            r -> r.at("/metric/namespace").asText() + "/" + r.at("/metric/service").asText())
        .containsExactly("team-a/minilm");

    // no 5xx was served, and the operator leads
    assertThat(answered.keySet()).noneMatch(status -> status >= 500);
    assertThat(query(alerts.get("ModelServerHighErrorRate").expr())).isEmpty();
    assertThat(query(alerts.get("MLPlatformOperatorNotLeading").expr())).isEmpty();
  }

  @Test
  void prometheus_loads_the_rules_and_holds_the_degraded_alerts_pending() throws Exception {
    JsonNode groups = api("/api/v1/rules").at("/data/groups");
    List<String> loaded = new ArrayList<>();
    for (JsonNode group : groups) {
      for (JsonNode rule : group.get("rules")) {
        loaded.add(rule.get("name").asText());
        assertThat(rule.get("health").asText())
            .as("%s: %s", rule.get("name"), rule.path("lastError"))
            .isEqualTo("ok");
      }
    }
    assertThat(loaded)
        .containsExactlyInAnyOrderElementsOf(
            MonitoringAssets.alerts().stream().map(Alert::name).toList());

    // for: 5m has not passed, so the alerts wait as pending
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(api("/api/v1/alerts").at("/data/alerts"))
                    .extracting(
                        a ->
                            a.at("/labels/alertname").asText()
                                + " "
                                + a.at("/labels/modelserver").asText()
                                + " "
                                + a.get("state").asText())
                    .contains(
                        "ModelServerDegraded broken pending", "ModelServerDegraded flaky pending"));
  }

  @Test
  void every_metric_the_assets_use_is_exported_by_its_process_or_is_a_cluster_metric() {
    Set<String> fromServer = sampleNames(serverMetrics);
    Set<String> fromOperator = sampleNames(operatorMetrics);
    Set<String> clusterUsed = new HashSet<>();
    List<String> missing = new ArrayList<>();

    Map<String, Set<String>> processOf =
        Map.of("mlplatform-model-servers", fromServer, "mlplatform-operator", fromOperator);
    for (Path file : MonitoringAssets.dashboardFiles()) {
      JsonNode dashboard = MonitoringAssets.dashboard(file);
      List<Query> queries = new ArrayList<>(MonitoringAssets.panelQueries(dashboard));
      queries.addAll(MonitoringAssets.variableQueries(dashboard).values());
      for (Query query : queries) {
        for (String name : MonitoringAssets.metricNames(query.expr())) {
          Set<String> exported =
              name.startsWith("model_server_")
                  ? fromServer
                  : name.startsWith("mlplatform_operator_") || name.startsWith("operator_sdk_")
                      ? fromOperator
                      : processOf.get(dashboard.get("uid").asText());
          check(name, query.toString(), exported, clusterUsed, missing);
        }
      }
    }
    for (Alert alert : MonitoringAssets.alerts()) {
      for (String name : MonitoringAssets.metricNames(alert.expr())) {
        check(
            name,
            alert.name(),
            name.startsWith("model_server_") ? fromServer : fromOperator,
            clusterUsed,
            missing);
      }
    }

    assertThat(missing).as("metrics no process exports").isEmpty();
    assertThat(clusterUsed)
        .as("the documented cluster metrics are the ones used")
        .containsExactlyInAnyOrderElementsOf(MonitoringAssets.CLUSTER_METRICS);
    String doc = MonitoringAssets.monitoringDoc();
    assertThat(MonitoringAssets.CLUSTER_METRICS)
        .allSatisfy(name -> assertThat(doc).as("docs/monitoring.md names %s", name).contains(name));
  }

  private static void check(
      String name, String where, Set<String> exported, Set<String> clusterUsed, List<String> out) {
    if (MonitoringAssets.CLUSTER_METRICS.contains(name)) {
      clusterUsed.add(name);
    } else if (!exported.contains(name)) {
      out.add(name + " (" + where + ")");
    }
  }

  // ------------------------------------------------------------------------------------------

  private static Process startServer() throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-jar",
                SERVER_JAR.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("model-server.log").toFile());
    builder.environment().keySet().retainAll(Set.of("PATH", "HOME", "LANG"));
    builder
        .environment()
        .putAll(
            Map.of(
                "HTTP_PORT", String.valueOf(httpPort),
                "METRICS_PORT", String.valueOf(metricsPort),
                "MODEL_CACHE_DIR", work.resolve("cache").toString(),
                // a small queue, so that a burst of requests gets 429s
                "MAX_QUEUE_SIZE", "8",
                "MAX_INPUTS_PER_REQUEST", "8",
                "INFERENCE_THREADS", "1",
                "SHUTDOWN_DRAIN_SECONDS", "0"));
    return builder.start();
  }

  private static OperatorRuntime startOperator() {
    OperatorConfig config = OperatorConfig.fromEnv(Map.of("LEADER_ELECTION", "false"));
    // port 0 (any free port) is not a valid setting; tests bind one through the record
    config = config.withManagementPort(0);
    OperatorRuntime runtime =
        new OperatorRuntime(cluster.newOperatorClient(), config, Clock.systemUTC());
    runtime.start();
    return runtime;
  }

  /**
   * A Prometheus configured as the Prometheus Operator configures one for our ServiceMonitors: the
   * ModelServer's Service scraped on port metrics with namespace/service/pod/job labels; the
   * operator's with the honorLabels and path of k8s/monitoring/service-monitor.yaml.
   */
  private static Process startPrometheus(Path binary, int operatorPort) throws IOException {
    JsonNode endpoint =
        MonitoringAssets.YAML
            .readTree(MonitoringAssets.DIR.resolve("service-monitor.yaml").toFile())
            .at("/spec/endpoints/0");
    Files.writeString(work.resolve("rules.yaml"), MonitoringAssets.rulesFile());
    String config =
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - rules.yaml
        scrape_configs:
          - job_name: serviceMonitor/team-a/minilm/0
            honor_labels: false
            metrics_path: /metrics
            static_configs:
              - targets: ['127.0.0.1:%d']
            relabel_configs:
        %s
          - job_name: serviceMonitor/mlplatform-system/mlplatform-operator/0
            honor_labels: %s
            metrics_path: %s
            static_configs:
              - targets: ['127.0.0.1:%d']
            relabel_configs:
        %s
        """
            .formatted(
                metricsPort,
                relabel(
                    Map.of(
                        "namespace", NAMESPACE,
                        "service", MODEL_SERVER,
                        "pod", POD,
                        "container", "model-server",
                        "endpoint", "metrics",
                        "job", MODEL_SERVER)),
                endpoint.path("honorLabels").asBoolean(false),
                endpoint.path("path").asText("/metrics"),
                operatorPort,
                relabel(
                    Map.of(
                        "namespace",
                        OPERATOR_NAMESPACE,
                        "service",
                        OPERATOR_JOB,
                        "pod",
                        "mlplatform-operator-5f6d7c8b9-abcde",
                        "container",
                        "operator",
                        "endpoint",
                        endpoint.get("port").asText(),
                        "job",
                        OPERATOR_JOB)));
    Files.writeString(work.resolve("prometheus.yml"), config);
    return new ProcessBuilder(
            binary.toString(),
            "--config.file=" + work.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + work.resolve("tsdb"),
            "--web.listen-address=127.0.0.1:" + prometheusPort,
            "--log.level=warn")
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("prometheus.log").toFile())
        .start();
  }

  private static String relabel(Map<String, String> labels) {
    StringBuilder out = new StringBuilder();
    labels.forEach(
        (label, value) ->
            out.append("          - target_label: ")
                .append(label)
                .append("\n            replacement: ")
                .append(value)
                .append('\n'));
    return out.toString().stripTrailing();
  }

  /** minilm is ready (the test plays the Deployment and HPA controllers), broken and flaky not. */
  private static void createModelServers() {
    var client = cluster.client();
    client.resource(modelServer(MODEL_SERVER, NAMESPACE)).create();
    ModelServer broken = modelServer("broken", NAMESPACE);
    broken.getSpec().setReplicas(new ReplicasSpec(5, 2));
    client.resource(broken).create();
    cluster
        .dispatcher()
        .inject(Fault.childWrites("team-b").answer(500, "etcdserver: request timed out"));
    client.resource(modelServer("flaky", "team-b")).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.apps().deployments().inNamespace(NAMESPACE).withName(MODEL_SERVER).get()
                        != null
                    && client
                            .autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(NAMESPACE)
                            .withName(MODEL_SERVER)
                            .get()
                        != null);
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NAMESPACE)
        .withName(MODEL_SERVER)
        .editStatus(
            h -> {
              h.setStatus(
                  new HorizontalPodAutoscalerStatusBuilder()
                      .withCurrentReplicas(1)
                      .withDesiredReplicas(1)
                      .build());
              return h;
            });
    DeploymentController.rolledOut(client, NAMESPACE, MODEL_SERVER, 1);
  }

  private static ModelServer modelServer(String name, String namespace) {
    ModelServer server = TestModelServers.minimal(name, namespace);
    server.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    return server;
  }

  /**
   * Good requests on all three routes, client errors, health probes, and bursts that overflow the
   * queue (429), in three rounds over several scrapes so that every counter rises between scrapes
   * (a counter first seen at its final value has a rate of 0).
   */
  /**
   * Rounds of traffic until Prometheus has seen the 429 counter move between two scrapes: rate()
   * ignores a series' first sample, so 429s that all came before the series' first scrape (a loaded
   * machine, a warm server that stops shedding after round one) would leave the rejecting-requests
   * alert empty.
   */
  private static void sendTraffic() throws Exception {
    String rejected =
        "rate(model_server_requests_total{namespace=\"team-a\", service=\"minilm\","
            + " status=\"429\"}[5m]) > 0";
    int rounds = 0;
    while (rounds < 3 || (query(rejected).isEmpty() && rounds < 20)) {
      sendRound();
      rounds++;
    }
    log.info("{} rounds of traffic until Prometheus saw the 429s move", rounds);
    assertThat(answered)
        .as("the traffic got answers: %s", answered)
        .containsKeys(200, 400, 404, 422, 429);
  }

  private static void sendRound() throws Exception {
    String base = "http://127.0.0.1:" + httpPort;
    String longTexts =
        "{\"texts\": ["
            + String.join(
                ",", java.util.Collections.nCopies(8, "\"" + "a long sentence ".repeat(30) + "\""))
            + "]}";
    for (int i = 0; i < 5; i++) {
      post(base + "/predict", "{\"texts\": [\"hello world\", \"monitoring works\"]}");
      post(base + "/v1/embeddings", "{\"input\": \"an embedding\"}");
      post(base + "/embed", "{\"inputs\": [\"text embeddings inference\"]}");
    }
    post(base + "/predict", "{oops");
    post(base + "/predict", "{\"texts\": []}");
    record(get(base + "/no-such-route").statusCode());
    assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200); // a probe, not traffic

    CountDownLatch go = new CountDownLatch(1);
    List<Thread> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                  post(base + "/predict", longTexts);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      t.start();
      burst.add(t);
    }
    go.countDown();
    for (Thread t : burst) {
      t.join(60_000);
    }
    Thread.sleep(1_200); // at least one scrape between rounds
  }

  /** Prometheus has scraped the final counts and the operator's view of all three ModelServers. */
  private static void awaitPrometheusSeesTheWorld() {
    String sel = "namespace=\"team-a\", service=\"minilm\"";
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(sum("sum(model_server_requests_total{" + sel + ", status=\"429\"})"))
                  .isEqualTo(answered.get(429).get());
              assertThat(
                      sum("sum(model_server_requests_total{" + sel + ", route!~\"/health/.*\"})"))
                  .isEqualTo(answered.values().stream().mapToInt(AtomicInteger::get).sum());
              assertThat(
                      query(
                          "mlplatform_operator_modelserver_condition{condition=\"Ready\","
                              + " status=\"True\"}"))
                  .extracting(r -> r.at("/metric/modelserver").asText())
                  .containsExactly(MODEL_SERVER);
              assertThat(
                      query(
                          "mlplatform_operator_modelserver_condition{condition=\"Degraded\","
                              + " status=\"True\"}"))
                  .extracting(r -> r.at("/metric/modelserver").asText())
                  .containsExactlyInAnyOrder("broken", "flaky");
              assertThat(query("operator_sdk_reconciliations_failed_total{name=\"flaky\"}"))
                  .isNotEmpty();
              // rates need two scrapes that saw the counters move; on a loaded machine the first
              // failures can come before the first scrape (seen once: the rate queries were empty)
              assertThat(
                      query(
                          "rate(mlplatform_operator_reconciliations_total{outcome=\"error\"}[5m])"
                              + " > 0"))
                  .isNotEmpty();
              assertThat(
                      query(
                          "rate(operator_sdk_controllers_execution_reconcile_seconds_count[1m]) > 0"))
                  .isNotEmpty();
            });
  }

  private static double sum(String promql) throws Exception {
    List<JsonNode> result = query(promql);
    return result.isEmpty() ? 0 : value(result.get(0));
  }

  private static List<JsonNode> query(String promql) throws Exception {
    JsonNode body = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(body.get("status").asText()).as("%s: %s", promql, body).isEqualTo("success");
    List<JsonNode> result = new ArrayList<>();
    body.at("/data/result").forEach(result::add);
    if (body.at("/data/resultType").asText().equals("scalar")) {
      result.add(body.at("/data"));
    }
    return result;
  }

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> response = get("http://127.0.0.1:" + prometheusPort + path);
    return MonitoringAssets.JSON.readTree(response.body());
  }

  private static double value(JsonNode sample) {
    return Double.parseDouble(sample.at("/value/1").asText());
  }

  private static boolean usesClusterMetrics(String expr) {
    return MonitoringAssets.metricNames(expr).stream()
        .anyMatch(MonitoringAssets.CLUSTER_METRICS::contains);
  }

  private static Set<String> sampleNames(String exposition) {
    return exposition
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toSet());
  }

  private static void post(String url, String body) throws Exception {
    record(
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode());
  }

  private static void record(int status) {
    answered.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitOk(String what, String url, int seconds) {
    await()
        .alias(what + " answers " + url)
        .atMost(Duration.ofSeconds(seconds))
        .pollInterval(Duration.ofMillis(200))
        .failFast(
            "Prometheus or the model server exited; see their logs in " + work,
            () -> !prometheus.isAlive() || !server.isAlive())
        .ignoreExceptions()
        .until(() -> get(url).statusCode() == 200);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
