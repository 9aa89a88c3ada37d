package dev.mlplatform.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlplatform.operator.monitoring.MonitoringAssets.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * The PrometheusRule: checked and unit-tested by the real {@code promtool}, and each alert
 * documented with a runbook page in docs/runbooks and a row in docs/monitoring.md.
 */
class AlertRulesTest {

  static List<Alert> alerts() {
    return MonitoringAssets.alerts();
  }

  @Test
  void the_rule_groups_pass_promtool_check_rules(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("rules.yaml"), MonitoringAssets.rulesFile());

    var result =
        MonitoringAssets.run(
            dir, 60, MonitoringAssets.tool("promtool").toString(), "check", "rules", "rules.yaml");

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void every_alert_fires_on_its_synthetic_series_and_not_on_healthy_ones(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("rules.yaml"), MonitoringAssets.rulesFile());
    Files.copy(MonitoringAssets.ALERT_TESTS, dir.resolve("alerts-test.yaml"));

    var result =
        MonitoringAssets.run(
            dir,
            120,
            MonitoringAssets.tool("promtool").toString(),
            "test",
            "rules",
            "alerts-test.yaml");

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  /**
   * promtool compares the exact set of alerts at each evaluation, so a group's series that are in
   * no expected alert are proven silent. Each alert must have a firing case, and a silent one: a
   * case expecting nothing, or a series in its group for another instance than the firing ones.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("alerts")
  void every_alert_has_a_firing_and_a_silent_unit_test(Alert alert) {
    JsonNode tests = MonitoringAssets.YAML.valueToTree(readTests()).get("tests");
    boolean fires = false;
    boolean silent = false;
    for (JsonNode group : tests) {
      for (JsonNode test : group.path("alert_rule_test")) {
        if (!test.get("alertname").asText().equals(alert.name())) {
          continue;
        }
        JsonNode expected = test.path("exp_alerts");
        if (expected.isEmpty()) {
          silent = true;
          continue;
        }
        fires = true;
        // A firing instance: the label pairs of one expected alert (severity aside).
        List<Set<String>> firing = new java.util.ArrayList<>();
        expected.forEach(
            e -> {
              Set<String> pairs = new HashSet<>();
              e.get("exp_labels")
                  .fields()
                  .forEachRemaining(
                      f -> {
                        if (!f.getKey().equals("severity")) {
                          pairs.add(f.getKey() + "=\"" + f.getValue().asText() + "\"");
                        }
                      });
              firing.add(pairs);
            });
        for (JsonNode series : group.get("input_series")) {
          String selector = series.get("series").asText();
          boolean ofAFiringInstance =
              firing.stream().anyMatch(pairs -> pairs.stream().allMatch(selector::contains));
          if (!ofAFiringInstance && firing.stream().noneMatch(Set::isEmpty)) {
            silent = true;
          }
        }
      }
    }
    assertThat(fires).as("a test where %s fires", alert.name()).isTrue();
    assertThat(silent).as("a test where %s stays silent", alert.name()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("alerts")
  void every_alert_has_severity_summary_description_and_a_runbook_page(Alert alert)
      throws IOException {
    assertThat(alert.labels()).containsKey("severity");
    assertThat(alert.labels().get("severity")).isIn("critical", "warning");
    assertThat(alert.holdFor()).as("a for: period, so one bad scrape does not page").isNotEmpty();
    assertThat(alert.annotations()).containsKeys("summary", "description", "runbook_url");
    String runbook = alert.annotations().get("runbook_url");
    assertThat(runbook).isEqualTo(MonitoringAssets.RUNBOOK_BASE + alert.name() + ".md");

    Path page = MonitoringAssets.RUNBOOKS.resolve(alert.name() + ".md");
    assertThat(page).as("runbook page of %s", alert.name()).isRegularFile();
    assertThat(Files.readString(page))
        .startsWith("# " + alert.name() + "\n")
        .contains("**What it means**", "**What to check**", "**What to do**");
  }

  @Test
  void the_alert_table_lists_every_alert_with_its_severity_and_runbook() {
    String doc = MonitoringAssets.monitoringDoc();
    for (Alert alert : alerts()) {
      Matcher row =
          Pattern.compile(
                  "(?m)^\\| \\[`"
                      + alert.name()
                      + "`]\\(runbooks/"
                      + alert.name()
                      + "\\.md\\) \\| "
                      + alert.labels().get("severity")
                      + " \\|")
              .matcher(doc);
      assertThat(row.find()).as("docs/monitoring.md alert table row for %s", alert.name()).isTrue();
    }
  }

  @Test
  void comparisons_are_spaced_and_label_matchers_are_not() {
    // MonitoringIT turns "a > b" into "a > bool b" to evaluate an alert's input; that relies on it.
    for (Alert alert : alerts()) {
      String noStrings = alert.expr().replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
      Matcher matchers = Pattern.compile("\\{[^}]*}").matcher(noStrings);
      while (matchers.find()) {
        assertThat(matchers.group())
            .as("%s: label matchers are written without spaces around = =~ != !~", alert.name())
            .doesNotContainPattern("\\s(=|=~|!=|!~)|(=|=~|!=|!~)\\s");
      }
      String outside = noStrings.replaceAll("\\{[^}]*}", "{}");
      Matcher comparison = Pattern.compile(">=|<=|==|!=|>|<").matcher(outside);
      while (comparison.find()) {
        assertThat(
                Character.isWhitespace(outside.charAt(comparison.start() - 1))
                    && Character.isWhitespace(outside.charAt(comparison.end())))
            .as("%s: comparison %s has spaces around it", alert.name(), comparison.group())
            .isTrue();
      }
    }
  }

  private static Map<?, ?> readTests() {
    try {
      return MonitoringAssets.YAML.readValue(MonitoringAssets.ALERT_TESTS.toFile(), Map.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
