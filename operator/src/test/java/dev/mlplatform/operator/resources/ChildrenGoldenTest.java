package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.Golden;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each builder's output for a minimal and a full ModelServer, compared with golden YAML. */
class ChildrenGoldenTest {

  @ParameterizedTest(name = "{0} for the {1} spec matches its golden file")
  @CsvSource({
    "configmap,minimal",
    "configmap,full",
    "deployment,minimal",
    "deployment,full",
    "service,minimal",
    "service,full",
    "hpa,minimal",
    "hpa,full",
    "pdb,minimal",
    "pdb,full",
    "servicemonitor,minimal",
    "servicemonitor,full",
    "networkpolicy,minimal",
    "networkpolicy,full"
  })
  void rendered_child_matches_golden_yaml(String child, String variant) {
    ModelServer server =
        variant.equals("full")
            ? TestModelServers.full("embeddings", "search")
            : TestModelServers.minimal("embeddings", "search");
    server.getMetadata().setUid("5f2b3c1e-0000-4000-8000-000000000001");
    ResolvedSpec spec = ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE);
    HasMetadata rendered = builder(child).apply(server, spec);
    Golden.assertMatches(child + "-" + variant + ".yaml", Serialization.asYaml(rendered));
  }

  private static BiFunction<ModelServer, ResolvedSpec, HasMetadata> builder(String child) {
    return switch (child) {
      case "configmap" -> ConfigMapDesiredState::build;
      case "deployment" -> DeploymentDesiredState::build;
      case "service" -> ServiceDesiredState::build;
      case "hpa" -> (owner, spec) -> HorizontalPodAutoscalerDesiredState.build(owner, spec);
      case "pdb" -> PodDisruptionBudgetDesiredState::build;
      case "servicemonitor" -> ServiceMonitorDesiredState::build;
      case "networkpolicy" -> NetworkPolicyDesiredState::build;
      default -> throw new IllegalArgumentException(child);
    };
  }
}
