package dev.mlplatform.operator.testing;

import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What Kubernetes' Deployment controller would write, which the mock API server does not run: a
 * finished rollout of the current generation with every replica ready.
 */
public final class DeploymentController {
  private DeploymentController() {}

  public static void rolledOut(KubernetesClient client, String namespace, String name, int ready) {
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withObservedGeneration(d.getMetadata().getGeneration())
                      .withReplicas(ready)
                      .withUpdatedReplicas(ready)
                      .withReadyReplicas(ready)
                      .withAvailableReplicas(ready)
                      .build());
              return d;
            });
  }
}
