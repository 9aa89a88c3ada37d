package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Meter;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's metrics do not grow with every ModelServer ever seen: a deleted ModelServer's
 * series leave the registry, and the reconcile timer is one per controller. Before this, each
 * created-and-deleted ModelServer left about 70 timer series behind for the life of the process.
 */
class ControllerMetricsIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void a_deleted_model_servers_series_leave_the_registry_and_the_timer_is_per_controller() {
    KubernetesClient client = cluster.client();
    String ns = cluster.namespace();
    List<String> names = IntStream.range(0, 3).mapToObj(i -> "metrics-" + i).toList();
    for (String name : names) {
      client.resource(Children.minimal(name, ns)).create();
    }
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              for (String name : names) {
                ModelServer server =
                    client.resources(ModelServer.class).inNamespace(ns).withName(name).get();
                assertThat(server.getStatus()).as(name).isNotNull();
                assertThat(server.getStatus().getObservedGeneration())
                    .isEqualTo(server.getMetadata().getGeneration());
              }
            });
    assertThat(namedIn(ns))
        .as("JOSDK's per-ModelServer counters, while the ModelServers exist")
        .containsAll(names);
    List<Meter> timers =
        cluster.registry().getMeters().stream()
            .filter(m -> m.getId().getName().startsWith(ControllerMetrics.EXECUTION_TIMERS))
            .toList();
    assertThat(timers).as("reconcile timers").isNotEmpty();
    assertThat(timers)
        .allSatisfy(
            timer ->
                assertThat(timer.getId().getTags())
                    .noneMatch(t -> ControllerMetrics.RESOURCE_TAGS.contains(t.getKey())));

    client.resources(ModelServer.class).inNamespace(ns).delete();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(namedIn(ns))
                    .as(
                        "series naming a deleted ModelServer: %s",
                        cluster.registry().getMeters().stream()
                            .map(Meter::getId)
                            .filter(id -> ns.equals(id.getTag("namespace")))
                            .toList())
                    .isEmpty());
  }

  /** Names of the ModelServers of {@code namespace} that some meter of the operator names. */
  private static Set<String> namedIn(String namespace) {
    return cluster.registry().getMeters().stream()
        .map(Meter::getId)
        .filter(id -> namespace.equals(id.getTag("namespace")))
        .map(id -> id.getTag("name"))
        .filter(name -> name != null)
        .collect(Collectors.toSet());
  }
}
