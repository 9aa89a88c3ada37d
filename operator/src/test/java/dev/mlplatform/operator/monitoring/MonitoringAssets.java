package dev.mlplatform.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlplatform.operator.Golden;
import dev.mlplatform.operator.testing.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The monitoring assets of {@code k8s/monitoring} as the tests read them: the alert rules, the
 * dashboards and every PromQL query in them, and the metric names those queries use.
 */
final class MonitoringAssets {

  static final Path DIR = Golden.repoRoot().resolve("k8s/monitoring");
  static final Path RULE = DIR.resolve("prometheus-rule.yaml");
  static final Path ALERT_TESTS = DIR.resolve("tests/alerts-test.yaml");

  /** The monitoring page: the alert table and the cluster metrics the dashboards need. */
  static final Path MONITORING_DOC = Golden.repoRoot().resolve("docs/monitoring.md");

  static final Path RUNBOOKS = Golden.repoRoot().resolve("docs/runbooks");
  static final String RUNBOOK_BASE =
      "https://github.com/mlplatform/mlplatform/blob/main/docs/runbooks/";

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Metrics that come from the cluster, not from our processes: kube-state-metrics and the
   * kubelet's cAdvisor. docs/monitoring.md lists the same names.
   */
  static final Set<String> CLUSTER_METRICS =
      Set.of(
          "kube_horizontalpodautoscaler_status_current_replicas",
          "kube_horizontalpodautoscaler_status_desired_replicas",
          "kube_horizontalpodautoscaler_spec_min_replicas",
          "kube_horizontalpodautoscaler_spec_max_replicas",
          "kube_horizontalpodautoscaler_spec_target_metric",
          "kube_deployment_spec_replicas",
          "kube_deployment_status_replicas_available",
          "kube_deployment_status_replicas_ready",
          "container_cpu_usage_seconds_total",
          "container_memory_working_set_bytes");

  private MonitoringAssets() {}

  record Alert(
      String name,
      String expr,
      String holdFor,
      Map<String, String> labels,
      Map<String, String> annotations) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A PromQL query of a dashboard: a panel target, an annotation or a variable. */
  record Query(String dashboard, String where, String expr) {
    @Override
    public String toString() {
      return dashboard + ": " + where;
    }
  }

  static JsonNode prometheusRule() {
    return read(YAML, RULE);
  }

  /** The PrometheusRule's spec: a rules file as Prometheus and promtool read it. */
  static String rulesFile() {
    try {
      return YAML.writeValueAsString(prometheusRule().get("spec"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Alert> alerts() {
    List<Alert> alerts = new ArrayList<>();
    for (JsonNode group : prometheusRule().at("/spec/groups")) {
      for (JsonNode rule : group.get("rules")) {
        alerts.add(
            new Alert(
                rule.get("alert").asText(),
                rule.get("expr").asText(),
                rule.path("for").asText(""),
                strings(rule.get("labels")),
                strings(rule.get("annotations"))));
      }
    }
    return alerts;
  }

  static List<Path> dashboardFiles() {
    try (Stream<Path> files = Files.list(DIR.resolve("dashboards"))) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode dashboard(Path file) {
    return read(JSON, file);
  }

  static JsonNode dashboard(String uid) {
    return dashboardFiles().stream()
        .map(MonitoringAssets::dashboard)
        .filter(d -> d.get("uid").asText().equals(uid))
        .findFirst()
        .orElseThrow();
  }

  /** Every panel, rows and panels nested in collapsed rows included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  /** Panel targets and annotation queries (the PromQL that Grafana runs for the graphs). */
  static List<Query> panelQueries(JsonNode dashboard) {
    String title = dashboard.get("title").asText();
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(
            new Query(
                title,
                panel.get("title").asText() + " [" + target.get("refId").asText() + "]",
                target.get("expr").asText()));
      }
    }
    for (JsonNode annotation : dashboard.at("/annotations/list")) {
      if (annotation.has("expr")) {
        queries.add(
            new Query(
                title,
                "annotation " + annotation.get("name").asText(),
                annotation.get("expr").asText()));
      }
    }
    return queries;
  }

  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)");

  /** Query variables, keyed by name; their {@code label_values(expr, label)} as PromQL. */
  static Map<String, Query> variableQueries(JsonNode dashboard) {
    Map<String, Query> queries = new LinkedHashMap<>();
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (!variable.get("type").asText().equals("query")) {
        continue;
      }
      String definition = variable.at("/query/query").asText();
      Matcher m = LABEL_VALUES.matcher(definition);
      assertThat(m.matches()).as("variable %s: %s", variable.get("name"), definition).isTrue();
      queries.put(
          variable.get("name").asText(),
          new Query(
              dashboard.get("title").asText(),
              "variable " + variable.get("name").asText(),
              "group by (" + m.group(2) + ") (" + m.group(1) + ")"));
    }
    return queries;
  }

  /** Grafana's interpolation: template variables and {@code $__rate_interval}. */
  static String substitute(String expr, Map<String, String> variables, String rateInterval) {
    String out = expr.replace("$__rate_interval", rateInterval).replace("$__interval", "15s");
    for (Map.Entry<String, String> v : variables.entrySet()) {
      out =
          out.replace("${" + v.getKey() + "}", v.getValue())
              .replace("$" + v.getKey(), v.getValue());
    }
    assertThat(out).as("every variable of %s is substituted", expr).doesNotContain("$__");
    return out;
  }

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset",
          "inf",
          "nan",
          // aggregation operators, which may be followed by "by (...)" instead of "("
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "count",
          "count_values",
          "stddev",
          "stdvar",
          "topk",
          "bottomk",
          "quantile");

  /** The metric names a PromQL expression selects. */
  static Set<String> metricNames(String expr) {
    String stripped =
        expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
            .replaceAll("\\{[^}]*}", "{}")
            .replaceAll("\\[[^]]*]", "[]")
            .replaceAll(
                "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "$1 ()");
    Set<String> names = new LinkedHashSet<>();
    Matcher m =
        Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(stripped);
    while (m.find()) {
      if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /**
   * The same expression with every comparison turned into a {@code bool} comparison: it returns the
   * series the alert looks at (0 or 1) instead of only those over the threshold, which shows the
   * alert's input exists with the labels it groups by. Comparisons are written with spaces around
   * them; label matchers without (a test checks that convention).
   */
  static String asBoolSignal(String expr) {
    return expr.replaceAll("(?<=\\s)(>=|<=|==|!=|>|<)(?=\\s)", "$1 bool");
  }

  static String monitoringDoc() {
    try {
      return Files.readString(MONITORING_DOC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command to completion (at most {@code seconds}); returns exit code and output. */
  record Result(int exit, String output) {}

  static Result run(Path dir, long seconds, String... command) {
    try {
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish: " + out);
      }
      return new Result(process.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Path tool(String name) {
    return Tools.require(name, "prometheus");
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node != null) {
      node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    }
    return map;
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
