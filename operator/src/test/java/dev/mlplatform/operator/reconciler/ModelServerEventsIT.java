package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.testing.RealCluster;
import dev.mlplatform.operator.testing.SettableClock;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Events as {@code kubectl describe msrv} shows them: repeats are counted, not repeated. Written to
 * a real API server, which validates them (names, timestamps, the involved object).
 */
class ModelServerEventsIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.apiServerOnly();

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-27T10:00:00Z"));
  private ModelServerEvents events;

  @BeforeEach
  void start() {
    events = new ModelServerEvents(cluster.client(), clock);
  }

  @AfterEach
  void stop() {
    events.close();
  }

  @Test
  void the_same_event_again_raises_the_count_of_the_first() {
    ModelServer server = server("embeddings", "uid-1");
    events.warning(server, "ServiceMonitorCRDMissing", "no ServiceMonitor API");
    awaitEvents(1);
    clock.advance(Duration.ofSeconds(3));
    events.warning(server, "ServiceMonitorCRDMissing", "no ServiceMonitor API");

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(events())
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.getCount()).isEqualTo(2);
                          assertThat(e.getFirstTimestamp()).isEqualTo("2026-11-27T10:00:00Z");
                          assertThat(e.getLastTimestamp()).isEqualTo("2026-11-27T10:00:03Z");
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getMessage()).isEqualTo("no ServiceMonitor API");
                        }));
  }

  @Test
  void events_that_differ_in_message_reason_type_or_model_server_stay_apart() {
    ModelServer one = server("one", "uid-1");
    ModelServer two = server("two", "uid-2");
    events.warning(one, "ReconcileFailed", "attempt 1");
    events.warning(one, "ReconcileFailed", "attempt 2");
    events.warning(one, "InvalidSpec", "attempt 2");
    events.normal(one, "InvalidSpec", "attempt 2");
    events.warning(two, "ReconcileFailed", "attempt 1");

    List<Event> all = awaitEvents(5);
    assertThat(all).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
    assertThat(all.stream().map(e -> e.getMetadata().getName()).distinct()).hasSize(5);
  }

  @Test
  void a_repeat_after_the_aggregation_window_or_after_the_event_expired_is_a_new_event() {
    ModelServer server = server("embeddings", "uid-1");
    events.normal(server, "Ready", "1/1 replicas ready");
    awaitEvents(1);

    clock.advance(ModelServerEvents.AGGREGATION_WINDOW.plusSeconds(1));
    events.normal(server, "Ready", "1/1 replicas ready");
    awaitEvents(2);

    // the API server deletes Events after their TTL (an hour by default)
    cluster.client().v1().events().inNamespace(cluster.namespace()).delete();
    await().atMost(TIMEOUT).until(() -> events().isEmpty());
    events.normal(server, "Ready", "1/1 replicas ready");
    assertThat(awaitEvents(1)).singleElement().satisfies(e -> assertThat(e.getCount()).isOne());
  }

  private List<Event> awaitEvents(int count) {
    return await().atMost(TIMEOUT).until(this::events, e -> e.size() == count);
  }

  private List<Event> events() {
    return cluster
        .client()
        .v1()
        .events()
        .inNamespace(cluster.namespace())
        .list()
        .getItems()
        .stream()
        .sorted(Comparator.comparing(e -> e.getMetadata().getName()))
        .toList();
  }

  private static ModelServer server(String name, String uid) {
    ModelServer server = new ModelServer();
    server.getMetadata().setName(name);
    server.getMetadata().setNamespace(cluster.namespace());
    server.getMetadata().setUid(uid);
    return server;
  }
}
