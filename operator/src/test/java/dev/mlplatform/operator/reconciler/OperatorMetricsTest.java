package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  private static ModelServer withConditions(String name, String ns, String... typeStatusReason) {
    ModelServer server = TestModelServers.minimal(name, ns);
    ModelServerStatus status = new ModelServerStatus();
    List<io.fabric8.kubernetes.api.model.Condition> conditions = new CopyOnWriteArrayList<>();
    for (int i = 0; i < typeStatusReason.length; i += 3) {
      conditions.add(
          new ConditionBuilder()
              .withType(typeStatusReason[i])
              .withStatus(typeStatusReason[i + 1])
              .withReason(typeStatusReason[i + 2])
              .build());
    }
    status.setConditions(conditions);
    server.setStatus(status);
    return server;
  }

  private static List<String> conditionLines(PrometheusMeterRegistry registry) {
    return registry
        .scrape()
        .lines()
        .filter(l -> l.startsWith("mlplatform_operator_modelserver_condition{"))
        .toList();
  }

  @Test
  void modelserver_conditions_are_exported_per_modelserver_from_the_cache_at_scrape_time() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<ModelServer> cache = new CopyOnWriteArrayList<>();
    new OperatorMetrics(registry).watchModelServers(cache::stream);

    cache.add(
        withConditions(
            "minilm", "search", "Ready", "True", "Ready", "Degraded", "False", "AsExpected"));
    cache.add(withConditions("broken", "team-b", "Degraded", "True", "InvalidSpec"));
    cache.add(TestModelServers.minimal("new", "search")); // no status written yet

    assertThat(conditionLines(registry))
        .containsExactlyInAnyOrder(
            "mlplatform_operator_modelserver_condition{condition=\"Ready\",modelserver=\"minilm\","
                + "namespace=\"search\",reason=\"Ready\",status=\"True\"} 1.0",
            "mlplatform_operator_modelserver_condition{condition=\"Degraded\",modelserver=\"minilm\","
                + "namespace=\"search\",reason=\"AsExpected\",status=\"False\"} 1.0",
            "mlplatform_operator_modelserver_condition{condition=\"Degraded\",modelserver=\"broken\","
                + "namespace=\"team-b\",reason=\"InvalidSpec\",status=\"True\"} 1.0");

    // Fixed and deleted: the next scrape has no trace of the old reason or the deleted server.
    cache.set(1, withConditions("broken", "team-b", "Degraded", "False", "AsExpected"));
    cache.remove(0);
    assertThat(conditionLines(registry))
        .containsExactly(
            "mlplatform_operator_modelserver_condition{condition=\"Degraded\",modelserver=\"broken\","
                + "namespace=\"team-b\",reason=\"AsExpected\",status=\"False\"} 1.0");
  }

  @Test
  void watching_again_replaces_the_source_and_other_registries_are_left_alone() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    metrics.watchModelServers(
        () -> java.util.stream.Stream.of(withConditions("a", "ns", "Ready", "True", "Ready")));
    metrics.watchModelServers(
        () -> java.util.stream.Stream.of(withConditions("b", "ns", "Ready", "True", "Ready")));
    assertThat(conditionLines(registry)).singleElement().asString().contains("modelserver=\"b\"");

    new OperatorMetrics(new SimpleMeterRegistry())
        .watchModelServers(List.<ModelServer>of()::stream);
  }
}
