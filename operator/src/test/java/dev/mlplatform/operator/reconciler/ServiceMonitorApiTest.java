package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.reconciler.ServiceMonitorApi.State;
import dev.mlplatform.operator.testing.SettableClock;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cached discovery answer, with a scripted discovery and a clock the test moves. */
class ServiceMonitorApiTest {

  /** A clock that stands still until the test moves it. */
  /** Answers from a script, remembering what it was asked. */
  private static final class ScriptedDiscovery implements ServiceMonitorApi.Discovery {
    final List<String> asked = new ArrayList<>();
    RuntimeException failure;
    boolean served;

    @Override
    public boolean serves(String apiVersion, String kind) {
      asked.add(apiVersion + " " + kind);
      if (failure != null) {
        throw failure;
      }
      return served;
    }
  }

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ScriptedDiscovery discovery = new ScriptedDiscovery();
  private final ServiceMonitorApi api =
      new ServiceMonitorApi(discovery, Duration.ofMinutes(1), clock);

  @Test
  void asks_discovery_for_the_prometheus_operators_service_monitor() {
    assertThat(api.availability().state()).isEqualTo(State.NOT_SERVED);
    assertThat(discovery.asked).containsExactly("monitoring.coreos.com/v1 ServiceMonitor");
  }

  @Test
  void many_reconciliations_within_the_interval_cost_one_request() {
    for (int i = 0; i < 100; i++) {
      api.availability();
      clock.advance(Duration.ofMillis(500));
    }
    assertThat(discovery.asked).hasSize(1);
    clock.advance(Duration.ofSeconds(10));
    api.availability();
    assertThat(discovery.asked).hasSize(2);
  }

  @Test
  void an_api_installed_later_is_noticed_after_the_interval() {
    assertThat(api.availability().served()).isFalse();

    discovery.served = true;
    clock.advance(Duration.ofSeconds(59));
    assertThat(api.availability().served()).as("still the cached answer").isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(api.availability().served()).isTrue();

    discovery.served = false;
    clock.advance(Duration.ofMinutes(1));
    assertThat(api.availability().state())
        .as("an API removed later is noticed too")
        .isEqualTo(State.NOT_SERVED);
  }

  @Test
  void a_failed_discovery_keeps_the_last_answer() {
    discovery.served = true;
    assertThat(api.availability().served()).isTrue();

    discovery.failure = new KubernetesClientException("connection refused");
    clock.advance(Duration.ofMinutes(1));
    ServiceMonitorApi.Availability availability = api.availability();
    assertThat(availability.served()).isTrue();
    assertThat(availability.detail()).isEmpty();
    assertThat(discovery.asked).hasSize(2);
  }

  @Test
  void a_failed_first_discovery_is_unknown_with_the_reason() {
    discovery.failure = new KubernetesClientException("the server has asked for credentials");
    ServiceMonitorApi.Availability availability = api.availability();
    assertThat(availability.state()).isEqualTo(State.UNKNOWN);
    assertThat(availability.served()).isFalse();
    assertThat(availability.detail()).contains("asked for credentials");
    assertThat(availability.recheck()).isEqualTo(Duration.ofMinutes(1));

    discovery.failure = null;
    discovery.served = true;
    clock.advance(Duration.ofMinutes(1));
    assertThat(api.availability().state()).isEqualTo(State.SERVED);
  }
}
