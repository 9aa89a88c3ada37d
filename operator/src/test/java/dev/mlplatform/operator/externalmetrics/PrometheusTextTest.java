package dev.mlplatform.operator.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static final String EXPOSITION =
      """
      # HELP model_server_queue_depth Inputs waiting for a forward pass
      # TYPE model_server_queue_depth gauge
      model_server_queue_depth 7.0
      # HELP model_server_queue_depth_max An unrelated metric with a longer name
      model_server_queue_depth_max 99.0
      model_server_requests_in_flight{route="/predict"} 2.0
      model_server_requests_in_flight{route="/v1/embeddings",note="a } inside"} 3.0
      model_server_ready NaN
      """;

  @Test
  void reads_a_gauge_and_not_a_metric_whose_name_extends_it() {
    assertThat(PrometheusText.sum(EXPOSITION, "model_server_queue_depth")).hasValue(7.0);
  }

  @Test
  void sums_the_series_of_a_labelled_metric() {
    assertThat(PrometheusText.sum(EXPOSITION, "model_server_requests_in_flight")).hasValue(5.0);
  }

  @Test
  void an_absent_or_nan_metric_has_no_value() {
    assertThat(PrometheusText.sum(EXPOSITION, "model_server_inputs_total")).isEmpty();
    assertThat(PrometheusText.sum(EXPOSITION, "model_server_ready")).isEmpty();
  }
}
