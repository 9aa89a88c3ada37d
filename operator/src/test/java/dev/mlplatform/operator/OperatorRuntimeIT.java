package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runtime as main starts it (leader election on, management port, Prometheus registry) against
 * the mock API server.
 */
class OperatorRuntimeIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void leader_reconciles_and_serves_health_and_metrics_then_turns_unready_on_close()
      throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      OperatorConfig config =
          OperatorConfig.fromEnv(
              Map.of(
                  "LEADER_ELECTION", "true",
                  "LEADER_ELECTION_NAMESPACE", "mlplatform-system",
                  "MANAGEMENT_PORT", "1",
                  "WATCH_NAMESPACES", "watched"));
      // Port 0 (any free port) is not a valid setting; tests bind one through the record.
      config = config.withManagementPort(0);
      OperatorRuntime runtime = new OperatorRuntime(cluster.newClient(), config, Clock.systemUTC());
      runtime.start();
      int port = runtime.managementPort();
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(() -> assertThat(get(port, "/readyz").statusCode()).isEqualTo(200));
        assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);

        for (String ns : new String[] {"watched", "ignored"}) {
          ModelServer server = TestModelServers.minimal("embeddings", ns);
          server.setMetadata(
              new ObjectMetaBuilder().withName("embeddings").withNamespace(ns).build());
          cluster.client().resource(server).create();
        }
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    cluster
                            .client()
                            .apps()
                            .deployments()
                            .inNamespace("watched")
                            .withName("embeddings")
                            .get()
                        != null);
        Lease lease =
            cluster
                .client()
                .leases()
                .inNamespace("mlplatform-system")
                .withName("mlplatform-operator")
                .get();
        assertThat(lease).as("leader election holds a Lease").isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
        assertThat(
                cluster
                    .client()
                    .apps()
                    .deployments()
                    .inNamespace("ignored")
                    .withName("embeddings")
                    .get())
            .as("namespaces outside WATCH_NAMESPACES are left alone")
            .isNull();

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(get(port, "/metrics").body())
                        .contains("mlplatform_operator_info{")
                        .contains("mlplatform_operator_leader 1.0")
                        .contains("mlplatform_operator_reconciliations_total{")
                        .contains("mlplatform_operator_child_writes_total{")
                        .contains(
                            "mlplatform_operator_modelserver_condition{condition=\"Ready\","
                                + "modelserver=\"embeddings\",namespace=\"watched\"")
                        .contains("operator_sdk_")
                        .contains("jvm_memory_used_bytes"));
      } finally {
        runtime.close();
      }
      // Stopped: the port is closed.
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> get(port, "/readyz")))
          .isNotNull();
    }
  }
}
