package dev.mlplatform.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

  @Test
  void empty_environment_gives_documented_defaults() {
    OperatorConfig config = OperatorConfig.fromEnv(Map.of());
    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(config.defaultServerImage()).isEqualTo("mlplatform/model-server:0.1.0");
    assertThat(config.reconcileInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseName()).isEqualTo("mlplatform-operator");
    assertThat(config.leaseNamespace()).isNull();
    assertThat(config.managementPort()).isEqualTo(8081);
    assertThat(config.reconcileThreads()).isEqualTo(10);
    assertThat(config.monitoringApiCheckInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.retry())
        .isEqualTo(new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofMinutes(1)));
  }

  @Test
  void default_retry_policy_backs_off_to_a_minute_and_gives_up_after_about_four_minutes() {
    RetryPolicy retry = OperatorConfig.fromEnv(Map.of()).retry();
    assertThat(retry.delays())
        .extracting(Duration::toSeconds)
        .containsExactly(1L, 1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
    assertThat(retry.retryingFor()).isEqualTo(Duration.ofSeconds(244));
  }

  @Test
  void every_option_is_documented_with_its_default() {
    assertThat(OperatorConfig.OPTIONS)
        .allSatisfy(
            o -> {
              assertThat(o.env()).matches("[A-Z_]+");
              assertThat(o.description()).isNotBlank();
            });
  }

  @Test
  void settings_are_read_from_the_environment() {
    OperatorConfig config =
        OperatorConfig.fromEnv(
            Map.of(
                "WATCH_NAMESPACES", "team-a, team-b",
                "DEFAULT_SERVER_IMAGE", "registry.local/model-server:2.0.0",
                "RECONCILE_INTERVAL", "30s",
                "LEADER_ELECTION", "off",
                "LEADER_ELECTION_NAMESPACE", "ops",
                "MANAGEMENT_PORT", "9100",
                "MONITORING_API_CHECK_INTERVAL", "15s"));
    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(config.defaultServerImage()).isEqualTo("registry.local/model-server:2.0.0");
    assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.leaderElection()).isFalse();
    assertThat(config.leaseNamespace()).isEqualTo("ops");
    assertThat(config.managementPort()).isEqualTo(9100);
    assertThat(config.monitoringApiCheckInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.metricsRetention()).isEqualTo(Duration.ofSeconds(30));
    assertThat(
            OperatorConfig.fromEnv(Map.of("METRICS_RETENTION_AFTER_DELETE", "5m"))
                .metricsRetention())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(OperatorConfig.fromEnv(Map.of("RECONCILE_INTERVAL", "PT1H")).reconcileInterval())
        .isEqualTo(Duration.ofHours(1));
    assertThat(
            OperatorConfig.fromEnv(
                    Map.of(
                        "RETRY_MAX_ATTEMPTS", "3",
                        "RETRY_INITIAL_INTERVAL", "300ms",
                        "RETRY_MAX_INTERVAL", "1s"))
                .retry()
                .delays())
        .containsExactly(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(600));
    assertThat(OperatorConfig.fromEnv(Map.of("RETRY_MAX_ATTEMPTS", "0")).retry().delays())
        .isEmpty();
  }

  @Test
  void invalid_values_name_the_variable() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("RECONCILE_INTERVAL", "soon")))
        .hasMessageStartingWith("RECONCILE_INTERVAL must be");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("LEADER_ELECTION", "maybe")))
        .hasMessageStartingWith("LEADER_ELECTION must be true or false");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("MANAGEMENT_PORT", "70000")))
        .hasMessageStartingWith("MANAGEMENT_PORT must be in 1..65535");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("WATCH_NAMESPACES", "Bad_NS")))
        .hasMessageStartingWith("WATCH_NAMESPACES must be a namespace name");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("RECONCILE_INTERVAL", "0s")))
        .hasMessageStartingWith("RECONCILE_INTERVAL must be at least 1s");
    assertThatThrownBy(
            () -> OperatorConfig.fromEnv(Map.of("MONITORING_API_CHECK_INTERVAL", "500ms")))
        .hasMessageStartingWith("MONITORING_API_CHECK_INTERVAL must be at least 1s");
    assertThatThrownBy(
            () -> OperatorConfig.fromEnv(Map.of("MONITORING_API_CHECK_INTERVAL", "often")))
        .hasMessageStartingWith("MONITORING_API_CHECK_INTERVAL must be a duration");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("RETRY_MAX_ATTEMPTS", "-1")))
        .hasMessageStartingWith("RETRY_MAX_ATTEMPTS must be in 0..1000");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("RETRY_INITIAL_INTERVAL", "soon")))
        .hasMessageStartingWith("RETRY_INITIAL_INTERVAL must be a duration");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("RETRY_INITIAL_INTERVAL", "1ms")))
        .hasMessageStartingWith("RETRY_INITIAL_INTERVAL must be at least 10ms");
    assertThatThrownBy(
            () ->
                OperatorConfig.fromEnv(
                    Map.of("RETRY_INITIAL_INTERVAL", "2m", "RETRY_MAX_INTERVAL", "1m")))
        .hasMessageStartingWith("RETRY_MAX_INTERVAL must be at least 2m");
    assertThatThrownBy(
            () -> OperatorConfig.fromEnv(Map.of("METRICS_RETENTION_AFTER_DELETE", "500ms")))
        .hasMessageStartingWith("METRICS_RETENTION_AFTER_DELETE must be at least 1s");
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("METRICS_RETENTION_AFTER_DELETE", "2h")))
        .hasMessageStartingWith("METRICS_RETENTION_AFTER_DELETE must be at most 1h");
  }
}
