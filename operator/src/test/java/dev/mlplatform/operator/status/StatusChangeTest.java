package dev.mlplatform.operator.status;

import static dev.mlplatform.operator.status.ModelServerStatusAggregatorTest.deployment;
import static dev.mlplatform.operator.status.ModelServerStatusAggregatorTest.hpa;
import static dev.mlplatform.operator.status.ModelServerStatusAggregatorTest.waitingPod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the reconciler's Events are decided from: which conditions moved between two statuses. */
class StatusChangeTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final String URL = "http://a.ns.svc.cluster.local";

  private static ModelServer server() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    server.getMetadata().setGeneration(1L);
    return server;
  }

  private static StatusChange after(ModelServer server, int replicas, int ready) {
    return new ModelServerStatusAggregator(server, CLOCK)
        .deployment(deployment(replicas, ready))
        .hpa(hpa(replicas))
        .url(URL)
        .change();
  }

  @Test
  void the_first_status_is_a_change_and_every_condition_a_transition() {
    StatusChange first = after(server(), 1, 1);
    assertThat(first.changed()).isTrue();
    assertThat(first.transitions())
        .extracting(StatusChange.Transition::type)
        .containsExactlyInAnyOrderElementsOf(
            first.next().getConditions().stream().map(c -> c.getType()).toList());
    assertThat(first.transition(ConditionTypes.READY).orElseThrow().isTrue()).isTrue();
  }

  @Test
  void an_unchanged_world_is_no_change_and_no_transition() {
    ModelServer server = server();
    server.setStatus(after(server, 1, 1).next());
    StatusChange again = after(server, 1, 1);
    assertThat(again.changed()).isFalse();
    assertThat(again.transitions()).isEmpty();
  }

  @Test
  void a_new_replica_count_changes_the_status_but_moves_no_condition() {
    ModelServer server = server();
    server.setStatus(after(server, 1, 1).next());
    StatusChange scaled = after(server, 2, 2);
    assertThat(scaled.changed()).isTrue();
    assertThat(scaled.transitions()).isEmpty();
  }

  @Test
  void a_crash_loop_is_a_transition_of_ready_and_degraded_and_a_new_message_alone_is_not() {
    ModelServer server = server();
    server.setStatus(after(server, 1, 1).next());
    StatusChange crashing =
        new ModelServerStatusAggregator(server, CLOCK)
            .deployment(deployment(1, 0))
            .hpa(hpa(1))
            .pods(List.of(waitingPod("a-1", "CrashLoopBackOff")))
            .url(URL)
            .change();
    assertThat(crashing.transitions())
        .extracting(StatusChange.Transition::type)
        .contains(ConditionTypes.READY, ConditionTypes.DEGRADED);
    assertThat(crashing.transition(ConditionTypes.DEGRADED).orElseThrow().isTrue()).isTrue();
    assertThat(crashing.transition(ConditionTypes.READY).orElseThrow().isTrue()).isFalse();

    server.setStatus(crashing.next());
    Pod restartedAgain = waitingPod("a-1", "CrashLoopBackOff");
    restartedAgain.getStatus().getContainerStatuses().get(0).setRestartCount(5);
    StatusChange oneMoreRestart =
        new ModelServerStatusAggregator(server, CLOCK)
            .deployment(deployment(1, 0))
            .hpa(hpa(1))
            .pods(List.of(restartedAgain))
            .url(URL)
            .change();
    assertThat(oneMoreRestart.changed()).isTrue();
    assertThat(oneMoreRestart.transitions()).isEmpty();
    assertThat(oneMoreRestart.conditionChanged(ConditionTypes.DEGRADED))
        .as("the message counts the restarts")
        .isTrue();
  }
}
