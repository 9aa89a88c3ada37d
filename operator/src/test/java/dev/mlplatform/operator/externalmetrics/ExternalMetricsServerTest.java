package dev.mlplatform.operator.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExternalMetricsServerTest {

  @Test
  void values_are_written_as_kubernetes_quantities() {
    assertThat(ExternalMetricsServer.quantity(12)).isEqualTo("12");
    assertThat(ExternalMetricsServer.quantity(0)).isEqualTo("0");
    assertThat(ExternalMetricsServer.quantity(2.5)).isEqualTo("2500m");
    assertThat(ExternalMetricsServer.quantity(1.0 / 3)).isEqualTo("333m");
  }

  @Test
  void the_dashboard_series_is_named_for_the_model_server_the_hpa_selects() {
    assertThat(
            ExternalMetricsMeters.modelServer(
                "app.kubernetes.io/name=model-server,app.kubernetes.io/instance=search"))
        .isEqualTo("search");
    assertThat(ExternalMetricsMeters.modelServer("team=a")).isEqualTo("team=a");
  }
}
