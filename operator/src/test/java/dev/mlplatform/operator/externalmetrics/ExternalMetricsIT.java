package dev.mlplatform.operator.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.mlplatform.operator.ModelServerOperator;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.AutoscalingSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.api.v1alpha1.ScalingMetric;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.resources.ServerPorts;
import dev.mlplatform.operator.status.ConditionTypes;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.Kubelet;
import dev.mlplatform.operator.testing.OperatorAccount;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's external-metrics API behind a real kube-apiserver's aggregator: the API server
 * proxies queries (with its front-proxy client certificate) to the operator, which reads the ready
 * pods' {@code /metrics}, and kube-controller-manager's HPA controller scales the Deployment on the
 * answer.
 *
 * <p>No kubelet runs here: the test writes the pods' status ({@link Kubelet}) with a loopback
 * address of its own per pod, where a stand-in for the model server's metrics port serves the queue
 * gauge the test sets. The API server reaches the operator through an ExternalName Service ({@code
 * localhost}), as it would reach a ClusterIP Service's endpoints in a cluster.
 */
class ExternalMetricsIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.apiServerOnly();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String SERVICE = "operator-external-metrics";

  private KubernetesClient client;
  private ModelServerOperator operator;
  private Optional<ExternalMetricsApi> api = Optional.empty();
  private final List<HttpServer> pods = new ArrayList<>();
  private int port;
  private OperatorAccount account;
  private AutoCloseable externalMetricsRoles;

  @BeforeEach
  void start() throws IOException {
    client = cluster.client();
    String ns = cluster.namespace();
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    client
        .services()
        .inNamespace(ns)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(SERVICE)
                .endMetadata()
                .withNewSpec()
                .withType("ExternalName")
                .withExternalName("localhost")
                .endSpec()
                .build())
        .create();
    client
        .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
        .resource(apiService(ns, SERVICE))
        .create();
    OperatorConfig config =
        OperatorConfig.fromEnv(
                Map.of(
                    "LEADER_ELECTION", "false",
                    "DEFAULT_SERVER_IMAGE", TestModelServers.DEFAULT_IMAGE,
                    "MONITORING_API_CHECK_INTERVAL", "1s"))
            .withExternalMetrics(
                new OperatorConfig.ExternalMetricsSettings(
                    port, ns, SERVICE, OperatorConfig.EXTERNAL_METRICS_TLS_SECRET.defaultValue()));
    // the operator as k8s/base installs it: its ServiceAccount's token, the reconciler's roles
    // and the external-metrics API's own (certificate Secret, APIService, the front-proxy
    // settings in kube-system, SubjectAccessReviews), nothing more
    account = OperatorAccount.install(client, ns, null);
    externalMetricsRoles = account.grantExternalMetrics();
    KubernetesClient operatorClient = account.client(null);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    operator = ModelServerOperator.create(operatorClient, config, registry, Clock.systemUTC());
    operator.start();
    api =
        ExternalMetricsApi.start(
            operatorClient,
            config.externalMetrics(),
            operator.externalMetrics(),
            registry,
            Clock.systemUTC());
    assertThat(api).as("the external-metrics API started").isPresent();
  }

  @AfterEach
  void stop() throws Exception {
    pods.forEach(p -> p.stop(0));
    api.ifPresent(ExternalMetricsApi::close);
    if (operator != null) {
      operator.stop();
    }
    if (externalMetricsRoles != null) {
      externalMetricsRoles.close();
    }
    if (account != null) {
      account.close();
    }
    client
        .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
        .withName(ExternalMetric.API_SERVICE)
        .delete();
  }

  private GenericKubernetesResource apiService(String ns, String service) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("apiregistration.k8s.io/v1")
        .withKind("APIService")
        .withNewMetadata()
        .withName(ExternalMetric.API_SERVICE)
        .endMetadata()
        .addToAdditionalProperties(
            "spec",
            Map.of(
                "group",
                ExternalMetric.GROUP,
                "version",
                ExternalMetric.VERSION,
                "groupPriorityMinimum",
                100,
                "versionPriority",
                100,
                "service",
                Map.of("namespace", ns, "name", service, "port", port)))
        .build();
  }

  private ModelServer queueScaled(String name, int target) {
    ModelServer server = Children.minimal(name, cluster.namespace());
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMetric(ScalingMetric.queue);
    autoscaling.setTargetPerReplica(target);
    autoscaling.setScaleDownStabilizationSeconds(0);
    server.getSpec().setAutoscaling(autoscaling);
    server.getSpec().setReplicas(new ReplicasSpec(1, 4));
    return client.resource(server).create();
  }

  /** A stand-in for one pod's metrics port, at its own loopback address. */
  private AtomicInteger podMetrics(String address) throws IOException {
    AtomicInteger queue = new AtomicInteger();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(address, ServerPorts.METRICS_PORT), 8);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body =
              ("# HELP model_server_queue_depth Inputs waiting for a forward pass\n"
                      + "# TYPE model_server_queue_depth gauge\n"
                      + "model_server_queue_depth "
                      + queue.get()
                      + ".0\n"
                      + "model_server_requests_in_flight 1.0\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
          exchange.close();
        });
    server.start();
    pods.add(server);
    return queue;
  }

  private Optional<Condition> condition(String name, String type) {
    ModelServer server =
        client.resources(ModelServer.class).inNamespace(cluster.namespace()).withName(name).get();
    if (server == null
        || server.getStatus() == null
        || server.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return server.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst();
  }

  private HorizontalPodAutoscaler hpa(String name) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(cluster.namespace())
        .withName(name)
        .get();
  }

  /** The HPA controller has set the Deployment's replicas to {@code replicas}. */
  private void awaitReplicas(String name, int replicas) {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .apps()
                            .deployments()
                            .inNamespace(cluster.namespace())
                            .withName(name)
                            .get()
                            .getSpec()
                            .getReplicas())
                    .isEqualTo(replicas));
  }

  private String query(String metric, String selector) {
    return client.raw(
        "/apis/external.metrics.k8s.io/v1beta1/namespaces/"
            + cluster.namespace()
            + "/"
            + metric
            + "?labelSelector="
            + java.net.URLEncoder.encode(selector, StandardCharsets.UTF_8));
  }

  @Test
  void the_hpa_scales_on_the_queue_the_api_server_reads_from_the_operator() throws Exception {
    String name = "queue";
    queueScaled(name, 4);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              HorizontalPodAutoscaler hpa = hpa(name);
              assertThat(hpa).isNotNull();
              assertThat(hpa.getSpec().getMetrics())
                  .singleElement()
                  .satisfies(
                      m -> {
                        assertThat(m.getType()).isEqualTo("External");
                        assertThat(m.getExternal().getMetric().getName())
                            .isEqualTo("model_server_queue_depth");
                        assertThat(m.getExternal().getTarget().getAverageValue().toString())
                            .isEqualTo("4");
                      });
              assertThat(condition(name, ConditionTypes.AUTOSCALING_READY))
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
            });

    Pod pod = Kubelet.awaitPods(client, cluster.namespace(), name).get(0);
    AtomicInteger queue = podMetrics("127.0.0.21");
    Kubelet.ready(client, pod, "127.0.0.21");

    // the aggregator verified the operator's certificate against the caBundle it wrote
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
                            .withName(ExternalMetric.API_SERVICE)
                            .get()
                            .toString())
                    .contains("type=Available")
                    .contains("status=True"));

    String selector = "app.kubernetes.io/name=model-server,app.kubernetes.io/instance=" + name;
    queue.set(3);
    assertThat(query("model_server_queue_depth", selector)).contains("\"value\":\"3\"");

    // 12 texts waiting against 4 per replica: three replicas
    queue.set(12);
    awaitReplicas(name, 3);
    // the queue drains: back to one (stabilization 0 in this spec)
    queue.set(0);
    awaitReplicas(name, 1);
  }

  @Test
  void an_unknown_metric_is_not_found_and_a_pod_that_cannot_be_read_is_no_value() {
    String name = "silent";
    queueScaled(name, 4);
    Pod pod = Kubelet.awaitPods(client, cluster.namespace(), name).get(0);
    // ready, but nothing listens on its metrics port
    Kubelet.ready(client, pod, "127.0.0.22");
    String selector = "app.kubernetes.io/name=model-server,app.kubernetes.io/instance=" + name;
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> query("model_server_queue_depth", selector))
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("503"));
    // fabric8's raw() answers a 404 with null
    assertThat(query("no_such_metric", selector)).isNull();
    assertThatThrownBy(() -> query("model_server_requests_in_flight", ""))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("labelSelector is required");
  }

  @Test
  void another_provider_owning_the_api_service_means_cpu_and_a_condition_saying_so() {
    client
        .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
        .withName(ExternalMetric.API_SERVICE)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"caBundle\":null,\"service\":{\"namespace\":\"keda\","
                + "\"name\":\"keda-operator-metrics-apiserver\",\"port\":443}}}");
    operator.externalMetrics().recheckNow();
    String name = "fallback";
    queueScaled(name, 4);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(condition(name, ConditionTypes.AUTOSCALING_READY))
                  .hasValueSatisfying(
                      c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getMessage()).contains("keda/keda-operator-metrics-apiserver");
                      });
              assertThat(hpa(name).getSpec().getMetrics())
                  .singleElement()
                  .satisfies(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
            });
  }

  @Test
  void the_operator_refuses_a_client_without_the_front_proxy_certificate() throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {}

            public void checkServerTrusted(X509Certificate[] c, String a) {}

            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        new SecureRandom());
    HttpClient http =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "https://127.0.0.1:"
                        + port
                        + "/apis/external.metrics.k8s.io/v1beta1/namespaces/"
                        + cluster.namespace()
                        + "/model_server_queue_depth?labelSelector=a%3Db"))
            .header("X-Remote-User", "system:admin")
            .build();
    assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }
}
