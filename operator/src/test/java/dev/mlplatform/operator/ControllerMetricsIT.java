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
    for (String name : names) {
      assertThat(tagged(name))
          .as("JOSDK's per-ModelServer counters of %s, while it exists", name)
          .isNotEmpty()
          .as("reconcile timers naming %s (in any tag)", name)
          .noneMatch(id -> id.getName().startsWith(ControllerMetrics.EXECUTION_TIMERS));
    }
    assertThat(cluster.registry().getMeters())
        .as("reconcile timers")
        .anyMatch(m -> m.getId().getName().startsWith(ControllerMetrics.EXECUTION_TIMERS));

    client.resources(ModelServer.class).inNamespace(ns).delete();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> assertThat(tagged(ns)).as("series naming a deleted ModelServer").isEmpty());
  }

  /**
   * The operator's meters with a tag whose value is {@code value}, whatever the tag's key: JOSDK
   * names a resource {@code name} on its counters and {@code resource.name} on its timers.
   */
  private static List<Meter.Id> tagged(String value) {
    return cluster.registry().getMeters().stream()
        .map(Meter::getId)
        .filter(id -> id.getTags().stream().anyMatch(tag -> tag.getValue().equals(value)))
        .toList();
  }
}
