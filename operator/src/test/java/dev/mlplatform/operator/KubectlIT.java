package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.testing.MockCluster;
import dev.mlplatform.operator.testing.Tools;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The installed kubectl, as a user runs it, against the operator on the mock API server. */
class KubectlIT {

  private static String kubectl(MockCluster cluster, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Tools.require("kubectl", "kubernetes").toString(),
                "--server=" + cluster.url(),
                "--insecure-skip-tls-verify=true",
                "--request-timeout=10s"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .directory(Golden.repoRoot().toFile())
            .start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("kubectl %s:%n%s", String.join(" ", args), out).isZero();
    return out;
  }

  @Test
  void kubectl_apply_of_the_minimal_example_yields_the_five_children() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      Operator operator =
          ModelServerOperator.create(
              cluster.newClient(),
              OperatorConfig.fromEnv(Map.of("LEADER_ELECTION", "false")),
              new SimpleMeterRegistry(),
              Clock.systemUTC());
      operator.start();
      try {
        assertThat(
                kubectl(
                    cluster,
                    "apply",
                    "--validate=false",
                    "-f",
                    "examples/modelserver-minimal.yaml"))
            .contains("modelserver.serving.mlplatform.dev/minilm created");
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () ->
                    assertThat(
                            kubectl(
                                    cluster,
                                    "get",
                                    "-n",
                                    "default",
                                    "-o",
                                    "name",
                                    "configmaps,deployments,services,hpa,pdb")
                                .lines()
                                .toList())
                        .containsExactlyInAnyOrder(
                            "configmap/minilm-config",
                            "deployment.apps/minilm",
                            "service/minilm",
                            "horizontalpodautoscaler.autoscaling/minilm",
                            "poddisruptionbudget.policy/minilm"));
        assertThat(
                kubectl(
                    cluster,
                    "get",
                    "msrv",
                    "minilm",
                    "-n",
                    "default",
                    "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}"))
            .isEqualTo("NoReadyReplicas");
      } finally {
        operator.stop();
      }
    }
  }
}
