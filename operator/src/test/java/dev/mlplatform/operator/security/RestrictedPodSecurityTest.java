package dev.mlplatform.operator.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.Golden;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.HostPathVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Both Deployments we ship meet the restricted Pod Security Standard, rule by rule. */
class RestrictedPodSecurityTest {

  private static PodSpec modelServerPod(String variant) {
    var server =
        variant.equals("full")
            ? TestModelServers.full("a", "ns")
            : TestModelServers.minimal("a", "ns");
    return DeploymentDesiredState.build(
            server, ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE))
        .getSpec()
        .getTemplate()
        .getSpec();
  }

  private static PodSpec operatorPod() throws Exception {
    Deployment deployment =
        Serialization.unmarshal(
            Files.readString(Golden.repoRoot().resolve("k8s/base/deployment.yaml")),
            Deployment.class);
    return deployment.getSpec().getTemplate().getSpec();
  }

  @Test
  void the_model_server_pods_meet_the_restricted_profile() {
    assertThat(RestrictedPodSecurity.violations(modelServerPod("minimal"))).isEmpty();
    assertThat(RestrictedPodSecurity.violations(modelServerPod("full"))).isEmpty();
  }

  @Test
  void the_operator_pod_meets_the_restricted_profile() throws Exception {
    assertThat(RestrictedPodSecurity.violations(operatorPod())).isEmpty();
  }

  @Test
  void the_checker_catches_what_the_profile_forbids() {
    PodSpec pod = modelServerPod("minimal");
    pod.setHostNetwork(true);
    pod.getVolumes()
        .add(
            new VolumeBuilder()
                .withName("host")
                .withHostPath(new HostPathVolumeSourceBuilder().withPath("/").build())
                .build());
    var sc = pod.getContainers().get(0).getSecurityContext();
    sc.setAllowPrivilegeEscalation(true);
    sc.setCapabilities(new CapabilitiesBuilder().withAdd("SYS_ADMIN").build());
    sc.setRunAsNonRoot(false);

    assertThat(RestrictedPodSecurity.violations(pod))
        .anyMatch(v -> v.contains("hostNetwork"))
        .anyMatch(v -> v.contains("hostPath"))
        .anyMatch(v -> v.contains("allowPrivilegeEscalation"))
        .anyMatch(v -> v.contains("drop ALL"))
        .anyMatch(v -> v.contains("SYS_ADMIN"))
        .anyMatch(v -> v.contains("runAsNonRoot"));
  }
}
