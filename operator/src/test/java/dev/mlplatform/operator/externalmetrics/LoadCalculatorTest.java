package dev.mlplatform.operator.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadCalculatorTest {

  private static final Instant NOW = Instant.parse("2026-12-05T04:00:00Z");
  private final LoadCalculator calculator = new LoadCalculator(Duration.ofSeconds(30));

  @Test
  void the_value_is_the_sum_over_the_ready_pods() {
    var value =
        calculator.value(
            List.of(PodSample.of("a", 3, NOW), PodSample.of("b", 5, NOW.minusSeconds(2))), NOW);
    assertThat(value)
        .hasValueSatisfying(
            v -> {
              assertThat(v.value()).isEqualTo(8);
              assertThat(v.answered()).isEqualTo(2);
              assertThat(v.complete()).isTrue();
            });
  }

  @Test
  void a_missing_pod_counts_at_the_others_mean_and_is_reported_not_counted_as_idle() {
    var value =
        calculator.value(
            List.of(
                PodSample.of("a", 4, NOW),
                PodSample.of("b", 8, NOW),
                PodSample.failed("c", "scrape failed: connection refused", NOW)),
            NOW);
    assertThat(value)
        .hasValueSatisfying(
            v -> {
              // 12 from two pods, the third at their mean of 6: 18, not 12
              assertThat(v.value()).isEqualTo(18);
              assertThat(v.readyPods()).isEqualTo(3);
              assertThat(v.answered()).isEqualTo(2);
              assertThat(v.missing()).containsOnlyKeys("c");
              assertThat(v.missing().get("c")).contains("connection refused");
            });
  }

  @Test
  void a_stale_sample_is_missing() {
    var value =
        calculator.value(
            List.of(PodSample.of("a", 10, NOW), PodSample.of("b", 0, NOW.minusSeconds(31))), NOW);
    assertThat(value)
        .hasValueSatisfying(
            v -> {
              assertThat(v.value()).isEqualTo(20);
              assertThat(v.missing().get("b")).startsWith("stale: last sample 31 s old");
            });
  }

  @Test
  void mixed_versions_during_a_rollout_an_old_pod_without_the_gauge_is_missing_not_zero() {
    var value =
        calculator.value(
            List.of(
                PodSample.of("new-1", 6, NOW),
                PodSample.failed(
                    "old-1", "no model_server_queue_depth on http://10.1.0.5:9090/metrics", NOW)),
            NOW);
    assertThat(value)
        .hasValueSatisfying(
            v -> {
              assertThat(v.value()).isEqualTo(12);
              assertThat(v.missingPods()).containsExactly("old-1");
            });
  }

  @Test
  void no_ready_pod_with_a_fresh_sample_is_no_value_so_the_hpa_keeps_its_replicas() {
    assertThat(
            calculator.value(
                List.of(
                    PodSample.failed("a", "timeout", NOW),
                    PodSample.of("b", 7, NOW.minusSeconds(60))),
                NOW))
        .isEmpty();
  }

  @Test
  void no_ready_pods_is_zero_load() {
    assertThat(calculator.value(List.of(), NOW))
        .hasValueSatisfying(
            v -> {
              assertThat(v.value()).isZero();
              assertThat(v.readyPods()).isZero();
            });
  }
}
