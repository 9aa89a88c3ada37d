package dev.mlplatform.operator.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.config.OperatorConfig.ExternalMetricsSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

class ExternalMetricsApiTest {

  private static KubernetesClient client(String namespace) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withNamespace(namespace).build())
        .build();
  }

  @Test
  void the_service_is_in_the_configured_namespace_else_the_clients_else_default() {
    ExternalMetricsSettings unset = new ExternalMetricsSettings(6443, null, "svc", "tls");
    try (KubernetesClient none = client(null);
        KubernetesClient team = client("team-a")) {
      // a kubeconfig without a namespace (the image smoke test's) must not stop the operator
      assertThat(ExternalMetricsApi.serviceRef(unset, none))
          .hasValue(new ApiServiceRegistration.ServiceRef("default", "svc"));
      assertThat(ExternalMetricsApi.serviceRef(unset, team))
          .hasValue(new ApiServiceRegistration.ServiceRef("team-a", "svc"));
      assertThat(
              ExternalMetricsApi.serviceRef(
                  new ExternalMetricsSettings(6443, "ops", "svc", "tls"), team))
          .hasValue(new ApiServiceRegistration.ServiceRef("ops", "svc"));
      assertThat(
              ExternalMetricsApi.serviceRef(
                  new ExternalMetricsSettings(0, "ops", "svc", "tls"), team))
          .isEmpty();
    }
  }
}
