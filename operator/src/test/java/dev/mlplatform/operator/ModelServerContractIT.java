package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ConfigMapDesiredState;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract between the operator and the model server: the real server, started with the
 * environment the operator generates for the minimal example, answers the generated Deployment's
 * startup, liveness and readiness probes as the kubelet expects, and drains on SIGTERM within the
 * generated grace period. Needs the model server's jar (model-server/target/model-server.jar, built
 * before this module in the reactor).
 */
class ModelServerContractIT {

  private static final Path SERVER_JAR =
      Golden.repoRoot().resolve("model-server/target/model-server.jar");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static int probe(Probe probe, Map<String, Integer> ports) throws Exception {
    String port = probe.getHttpGet().getPort().getStrVal();
    assertThat(ports).as("probe port %s names a container port", port).containsKey(port);
    return HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + ports.get(port) + probe.getHttpGet().getPath()))
                .timeout(Duration.ofSeconds(probe.getTimeoutSeconds()))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void generated_probes_are_answered_by_the_real_server_started_with_the_generated_env()
      throws Exception {
    assertThat(SERVER_JAR)
        .as("the model server jar (make test builds it first; alone: make build)")
        .exists();
    ModelServer server =
        Serialization.unmarshal(
            Files.readString(Golden.repoRoot().resolve("examples/modelserver-minimal.yaml")),
            ModelServer.class);
    server.getMetadata().setUid("contract");
    ResolvedSpec spec = ResolvedSpec.of(server, "mlplatform/model-server:0.1.0");
    Map<String, String> configMap = ConfigMapDesiredState.build(server, spec).getData();
    Deployment deployment = DeploymentDesiredState.build(server, spec);
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    // The ConfigMap's ports are the container's named ports: what the probes resolve to.
    Map<String, Integer> containerPorts = new HashMap<>();
    for (ContainerPort port : container.getPorts()) {
      containerPorts.put(port.getName(), port.getContainerPort());
    }
    assertThat(configMap.get("HTTP_PORT")).isEqualTo(String.valueOf(containerPorts.get("http")));
    assertThat(configMap.get("METRICS_PORT"))
        .isEqualTo(String.valueOf(containerPorts.get("metrics")));

    // Same environment as the pod (envFrom the ConfigMap, then the container env), except that
    // the ports are moved to free ones so the test cannot collide with anything on this machine,
    // and the cache directory is a temporary one instead of the pod's emptyDir.
    Path cache = Files.createTempDirectory("model-cache");
    Map<String, String> env = new HashMap<>(configMap);
    for (EnvVar var : container.getEnv()) {
      env.put(
          var.getName(),
          var.getValue().replace(DeploymentDesiredState.CACHE_DIR, cache.toString()));
    }
    Map<String, Integer> ports = Map.of("http", freePort(), "metrics", freePort());
    env.put("HTTP_PORT", String.valueOf(ports.get("http")));
    env.put("METRICS_PORT", String.valueOf(ports.get("metrics")));

    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-jar",
                SERVER_JAR.toString())
            .redirectErrorStream(true)
            .redirectOutput(Files.createTempFile("model-server", ".log").toFile());
    builder.environment().keySet().retainAll(java.util.Set.of("PATH", "HOME", "LANG"));
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      var startup = container.getStartupProbe();
      await()
          .atMost(
              Duration.ofSeconds((long) startup.getPeriodSeconds() * startup.getFailureThreshold()))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> probe(startup, ports) == 200);
      assertThat(probe(container.getLivenessProbe(), ports)).isEqualTo(200);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> probe(container.getReadinessProbe(), ports) == 200);

      // SIGTERM: readiness fails at once, the drain ends within the grace period, exit 0.
      long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
      process.destroy();
      await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> !process.isAlive() || safeProbe(container.getReadinessProbe(), ports) != 200);
      assertThat(process.waitFor(grace, TimeUnit.SECONDS))
          .as("the server exits within terminationGracePeriodSeconds (%ds)", grace)
          .isTrue();
      assertThat(process.exitValue()).isZero();
    } finally {
      process.destroyForcibly();
    }
  }

  private static int safeProbe(Probe probe, Map<String, Integer> ports) {
    try {
      return probe(probe, ports);
    } catch (Exception e) {
      return -1;
    }
  }
}
