package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.testing.RealCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The installed kubectl, as a user runs it, against the operator on a real API server. */
class KubectlIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  @Test
  void kubectl_apply_of_the_minimal_example_yields_the_five_children(@TempDir Path dir)
      throws Exception {
    String ns = cluster.namespace();
    // the example names namespace default; this test's namespace instead, as kustomize would
    Path example = dir.resolve("modelserver-minimal.yaml");
    Files.writeString(
        example,
        Files.readString(Golden.repoRoot().resolve("examples/modelserver-minimal.yaml"))
            .replace("namespace: default", "namespace: " + ns));
    assertThat(cluster.kubectl("apply", "-f", example.toString()))
        .contains("modelserver.serving.mlplatform.dev/minilm created");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        cluster
                            .kubectl(
                                "get",
                                "-n",
                                ns,
                                "-o",
                                "name",
                                "configmaps,deployments,services,hpa,pdb")
                            .lines()
                            .filter(line -> !line.equals("configmap/kube-root-ca.crt"))
                            .toList())
                    .containsExactlyInAnyOrder(
                        "configmap/minilm-config",
                        "deployment.apps/minilm",
                        "service/minilm",
                        "horizontalpodautoscaler.autoscaling/minilm",
                        "poddisruptionbudget.policy/minilm"));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        cluster.kubectl(
                            "get",
                            "msrv",
                            "minilm",
                            "-n",
                            ns,
                            "-o",
                            "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}"))
                    .as("no node runs the pod")
                    .isEqualTo("NoReadyReplicas"));
  }
}
