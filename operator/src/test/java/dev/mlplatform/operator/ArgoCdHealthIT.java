package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.Conflicts;
import dev.mlplatform.operator.testing.Kubelet;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Argo CD's health verdicts on ModelServers as a real API server serves them ({@code kubectl get -o
 * json}, what Argo CD reads), with statuses the operator wrote there: the health script's test data
 * is hand-written, this checks it against the real thing through a ModelServer's life.
 */
class ArgoCdHealthIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "minilm";

  private static JsonNode live() throws Exception {
    return JSON.readTree(
        cluster.kubectl("get", "modelserver", NAME, "-n", cluster.namespace(), "-o", "json"));
  }

  private static void awaitVerdict(String status, String messagePrefix) {
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ArgoCdHealth.Verdict verdict = ArgoCdHealth.of(live());
              assertThat(verdict.status()).as(verdict.message()).isEqualTo(status);
              assertThat(verdict.message()).startsWith(messagePrefix);
            });
  }

  @Test
  void a_model_servers_life_reads_progressing_healthy_degraded_and_healthy_again()
      throws Exception {
    KubernetesClient client = cluster.client();
    String ns = cluster.namespace();

    ModelServer created = client.resource(Children.minimal(NAME, ns)).create();
    assertThat(ArgoCdHealth.of(JSON.valueToTree(created)))
        .as("as the API server answered the create, before any status")
        .isEqualTo(
            new ArgoCdHealth.Verdict("Progressing", "Waiting for the operator to report status"));

    awaitVerdict("Progressing", "NoReadyReplicas: 0/1 replicas ready");

    Pod pod = Kubelet.awaitPods(client, ns, NAME).get(0);
    Kubelet.ready(client, pod);
    awaitVerdict("Healthy", "Ready: 1/1 replicas ready");

    // the spec as the API server returns it from the edit: a new generation, the old status
    ModelServer edited =
        Conflicts.retry(
            () ->
                client
                    .resources(ModelServer.class)
                    .inNamespace(ns)
                    .withName(NAME)
                    .edit(
                        s -> {
                          s.getSpec().setConfig(Map.of("SHUTDOWN_DRAIN_SECONDS", "soon"));
                          return s;
                        }));
    assertThat(ArgoCdHealth.of(JSON.valueToTree(edited)))
        .isEqualTo(
            new ArgoCdHealth.Verdict(
                "Progressing",
                "Waiting for the operator to observe generation "
                    + edited.getMetadata().getGeneration()));
    awaitVerdict(
        "Degraded",
        "InvalidSpec: invalid spec: spec.config.SHUTDOWN_DRAIN_SECONDS: must be a whole number");

    Conflicts.retry(
        () ->
            client
                .resources(ModelServer.class)
                .inNamespace(ns)
                .withName(NAME)
                .edit(
                    s -> {
                      s.getSpec().setConfig(Map.of("SHUTDOWN_DRAIN_SECONDS", "20"));
                      return s;
                    }));
    // the new config rolls the pods: the new ReplicaSet's pod crash-loops
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                Kubelet.awaitPods(client, ns, NAME).stream()
                    .anyMatch(p -> !p.getMetadata().getName().equals(pod.getMetadata().getName())));
    Pod rolled =
        Kubelet.awaitPods(client, ns, NAME).stream()
            .filter(p -> !p.getMetadata().getName().equals(pod.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    Kubelet.crashLooping(client, rolled, 3, "model load failed");
    awaitVerdict("Degraded", "CrashLoopBackOff: pod " + rolled.getMetadata().getName());

    Kubelet.ready(client, rolled);
    awaitVerdict("Healthy", "Ready: ");
  }
}
