package dev.mlplatform.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlplatform.operator.monitoring.MonitoringAssets.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Grafana dashboards: well-formed, wired to the datasource and variables, valid PromQL. */
class DashboardsTest {

  private static final Map<String, String> DATASOURCE =
      Map.of("type", "prometheus", "uid", "${datasource}");

  static List<Path> dashboards() {
    return MonitoringAssets.dashboardFiles();
  }

  @Test
  void there_is_a_model_server_and_an_operator_dashboard_with_distinct_uids() {
    assertThat(dashboards())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("mlplatform-model-servers.json", "mlplatform-operator.json");
    assertThat(dashboards())
        .extracting(p -> MonitoringAssets.dashboard(p).get("uid").asText())
        .containsExactly("mlplatform-model-servers", "mlplatform-operator");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dashboards")
  void is_valid_json_with_a_recent_schema(Path file) throws Exception {
    JsonNode dashboard = MonitoringAssets.JSON.readTree(Files.readString(file));

    assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
    assertThat(dashboard.get("title").asText()).startsWith("mlplatform / ");
    assertThat(dashboard.has("id")).as("no database id: Grafana assigns one").isFalse();
    assertThat(MonitoringAssets.panels(dashboard)).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dashboards")
  void panel_ids_are_unique_and_panels_do_not_overlap(Path file) {
    List<JsonNode> panels = MonitoringAssets.panels(MonitoringAssets.dashboard(file));
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : panels) {
      assertThat(ids.add(panel.get("id").asInt()))
          .as("duplicate panel id %s", panel.get("id"))
          .isTrue();
    }
    List<int[]> boxes = new ArrayList<>();
    for (JsonNode panel : panels) {
      JsonNode g = panel.get("gridPos");
      int[] box = {g.get("x").asInt(), g.get("y").asInt(), g.get("w").asInt(), g.get("h").asInt()};
      assertThat(box[0] + box[2])
          .as("%s fits the 24-column grid", panel.get("title"))
          .isLessThanOrEqualTo(24);
      for (int[] other : boxes) {
        boolean overlap =
            box[0] < other[0] + other[2]
                && other[0] < box[0] + box[2]
                && box[1] < other[1] + other[3]
                && other[1] < box[1] + box[3];
        assertThat(overlap).as("%s overlaps another panel", panel.get("title")).isFalse();
      }
      boxes.add(box);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dashboards")
  void every_panel_target_annotation_and_variable_uses_the_datasource_variable(Path file) {
    JsonNode dashboard = MonitoringAssets.dashboard(file);
    for (JsonNode panel : MonitoringAssets.panels(dashboard)) {
      if (panel.get("type").asText().equals("row")) {
        assertThat(panel.has("targets")).isFalse();
        continue;
      }
      String title = panel.get("title").asText();
      assertThat(datasource(panel)).as("panel %s", title).isEqualTo(DATASOURCE);
      assertThat(panel.get("targets")).as("panel %s has queries", title).isNotEmpty();
      for (JsonNode target : panel.get("targets")) {
        assertThat(datasource(target)).as("panel %s target", title).isEqualTo(DATASOURCE);
        assertThat(target.get("expr").asText()).as("panel %s target", title).isNotBlank();
      }
    }
    for (JsonNode annotation : dashboard.at("/annotations/list")) {
      assertThat(datasource(annotation)).isEqualTo(DATASOURCE);
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (variable.get("type").asText().equals("query")) {
        assertThat(datasource(variable))
            .as("variable %s", variable.get("name"))
            .isEqualTo(DATASOURCE);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dashboards")
  void has_a_prometheus_datasource_variable_and_namespace_and_modelserver_variables(Path file) {
    JsonNode templating = MonitoringAssets.dashboard(file).at("/templating/list");
    JsonNode datasource = variable(templating, "datasource");
    assertThat(datasource.get("type").asText()).isEqualTo("datasource");
    assertThat(datasource.get("query").asText()).isEqualTo("prometheus");
    assertThat(variable(templating, "namespace").get("type").asText()).isEqualTo("query");
    assertThat(variable(templating, "modelserver").get("type").asText()).isEqualTo("query");
  }

  @Test
  void model_server_variables_come_from_the_labels_of_a_servicemonitor_scrape() {
    Map<String, Query> variables =
        MonitoringAssets.variableQueries(MonitoringAssets.dashboard("mlplatform-model-servers"));

    // A ServiceMonitor scrape of the ModelServer's Service labels each series with the
    // namespace and with service = the Service's name, which is the ModelServer's name.
    assertThat(variables.get("namespace").expr())
        .isEqualTo("group by (namespace) (model_server_info)");
    assertThat(variables.get("modelserver").expr())
        .isEqualTo("group by (service) (model_server_info{namespace=\"$namespace\"})");
  }

  /** Every selector on the model-server dashboard follows the chosen namespace and ModelServer. */
  @Test
  void every_model_server_panel_follows_the_selected_namespace_and_modelserver() {
    JsonNode dashboard = MonitoringAssets.dashboard("mlplatform-model-servers");
    List<Query> queries = MonitoringAssets.panelQueries(dashboard);
    assertThat(queries).hasSizeGreaterThan(20);
    Pattern selector = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");
    for (Query query : queries) {
      Matcher m = selector.matcher(query.expr());
      int selectors = 0;
      while (m.find()) {
        selectors++;
        String name = m.group(1);
        String labels = m.group(2);
        assertThat(labels).as("%s: %s", query, name).contains("namespace=\"$namespace\"");
        if (name.startsWith("kube_horizontalpodautoscaler_")) {
          assertThat(labels)
              .as("%s: %s", query, name)
              .contains("horizontalpodautoscaler=\"$modelserver\"");
        } else if (name.startsWith("kube_deployment_")) {
          assertThat(labels).as("%s: %s", query, name).contains("deployment=\"$modelserver\"");
        } else if (name.startsWith("container_")) {
          assertThat(labels)
              .as("%s: %s", query, name)
              .contains("pod=~\"$modelserver-", "container=\"model-server\"");
        } else {
          assertThat(labels).as("%s: %s", query, name).contains("service=\"$modelserver\"");
        }
      }
      assertThat(selectors).as("%s selects something", query).isPositive();
    }
  }

  @Test
  void the_operator_dashboard_filters_modelserver_series_by_the_operator_job_and_selection() {
    JsonNode dashboard = MonitoringAssets.dashboard("mlplatform-operator");
    for (Query query : MonitoringAssets.panelQueries(dashboard)) {
      assertThat(query.expr()).as(query.toString()).contains("job=~\"$job\"");
      if (query.expr().contains("mlplatform_operator_modelserver_condition{")) {
        assertThat(query.expr())
            .contains("namespace=~\"$namespace\"", "modelserver=~\"$modelserver\"");
      }
      if (query.expr().contains("operator_sdk_reconciliations_failed_total{")
          || query.expr().contains("operator_sdk_events_received_total{")) {
        assertThat(query.expr()).contains("namespace=~\"$namespace\"", "name=~\"$modelserver\"");
      }
    }
  }

  /** Every query, with the variables filled in, is valid PromQL for the real promtool. */
  @Test
  void every_query_parses_in_promtool(@TempDir Path dir) throws Exception {
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
    int n = 0;
    for (Path file : dashboards()) {
      JsonNode dashboard = MonitoringAssets.dashboard(file);
      List<Query> queries = new ArrayList<>(MonitoringAssets.panelQueries(dashboard));
      queries.addAll(MonitoringAssets.variableQueries(dashboard).values());
      for (Query query : queries) {
        String expr =
            MonitoringAssets.substitute(
                query.expr(),
                Map.of("namespace", "team-a", "modelserver", "minilm", "job", "operator"),
                "1m");
        rules
            .append("      - record: dashboard_query_")
            .append(n++)
            .append("\n        expr: ")
            .append(MonitoringAssets.JSON.writeValueAsString(expr))
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("queries.yaml"), rules);

    var result =
        MonitoringAssets.run(
            dir,
            60,
            MonitoringAssets.tool("promtool").toString(),
            "check",
            "rules",
            "queries.yaml");

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: " + n + " rules found");
  }

  @Test
  void metric_names_are_read_from_promql_without_functions_labels_or_keywords() {
    assertThat(
            MonitoringAssets.metricNames(
                "histogram_quantile(0.99, sum by (namespace, le) (rate(a_bucket{route=~\"x|y\"}[5m])))"
                    + " > bool 2 and on (namespace) label_replace(group by (namespace) (b),"
                    + " \"deployment\", \"$1\", \"c\", \"(.*)\") or absent(d) unless sum(e) / count(f:g)"))
        .containsExactly("a_bucket", "b", "d", "e", "f:g");
    assertThat(MonitoringAssets.asBoolSignal("sum(a{x!=\"1\"}) >= 2\nor\nb < 1"))
        .isEqualTo("sum(a{x!=\"1\"}) >= bool 2\nor\nb < bool 1");
  }

  private static JsonNode variable(JsonNode templating, String name) {
    for (JsonNode variable : templating) {
      if (variable.get("name").asText().equals(name)) {
        return variable;
      }
    }
    throw new AssertionError("no variable " + name);
  }

  private static Map<String, String> datasource(JsonNode node) {
    JsonNode ds = node.path("datasource");
    return Map.of("type", ds.path("type").asText(), "uid", ds.path("uid").asText());
  }
}
