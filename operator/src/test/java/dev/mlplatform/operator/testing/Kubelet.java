package dev.mlplatform.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a kubelet would write into the status of pods the ReplicaSet controller created: the real
 * API server tier runs the controllers but no node, so pods stay Pending until a test reports them
 * running, ready or crash-looping. The controllers then react as on a cluster (the ReplicaSet and
 * Deployment count ready and available replicas).
 */
public final class Kubelet {

  private Kubelet() {}

  /** The pods of ModelServer {@code name}, once the ReplicaSet controller created them. */
  public static List<Pod> awaitPods(KubernetesClient client, String namespace, String name) {
    await().atMost(Duration.ofSeconds(30)).until(() -> !pods(client, namespace, name).isEmpty());
    return pods(client, namespace, name);
  }

  private static List<Pod> pods(KubernetesClient client, String namespace, String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabels(Children.podSelector(name))
        .list()
        .getItems();
  }

  /** Every container started and ready, the pod Ready since now. */
  public static void ready(KubernetesClient client, Pod pod) {
    ready(client, pod, "127.0.0.1");
  }

  /** Ready, at {@code podIP} (a loopback address of its own, where a test serves its ports). */
  public static void ready(KubernetesClient client, Pod pod, String podIP) {
    String now = Instant.now().toString();
    writeStatus(
        client,
        pod,
        podIP,
        "Running",
        true,
        pod.getSpec().getContainers().stream()
            .map(
                c ->
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("")
                        .withReady(true)
                        .withStarted(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning(now)
                        .endState()
                        .build())
            .toList());
  }

  /** The server container keeps exiting with {@code message}; {@code restarts} so far. */
  public static void crashLooping(KubernetesClient client, Pod pod, int restarts, String message) {
    writeStatus(
        client,
        pod,
        "127.0.0.1",
        "Running",
        false,
        List.of(
            new ContainerStatusBuilder()
                .withName(pod.getSpec().getContainers().get(0).getName())
                .withImage(pod.getSpec().getContainers().get(0).getImage())
                .withImageID("")
                .withReady(false)
                .withStarted(false)
                .withRestartCount(restarts)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .withMessage("back-off restarting failed container")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .withMessage(message)
                .endTerminated()
                .endLastState()
                .build()));
  }

  private static void writeStatus(
      KubernetesClient client,
      Pod pod,
      String podIP,
      String phase,
      boolean ready,
      List<ContainerStatus> containers) {
    String now = Instant.now().toString();
    Pod updated =
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .editStatus(
                p -> {
                  p.getStatus().setPhase(phase);
                  p.getStatus().setHostIP("127.0.0.1");
                  p.getStatus().setPodIP(podIP);
                  p.getStatus().setStartTime(now);
                  p.getStatus()
                      .setConditions(
                          List.of(
                              new PodConditionBuilder()
                                  .withType("Ready")
                                  .withStatus(ready ? "True" : "False")
                                  .withLastTransitionTime(now)
                                  .build(),
                              new PodConditionBuilder()
                                  .withType("ContainersReady")
                                  .withStatus(ready ? "True" : "False")
                                  .withLastTransitionTime(now)
                                  .build()));
                  p.getStatus().setContainerStatuses(containers);
                  return p;
                });
    assertThat(updated.getStatus().getPhase()).isEqualTo(phase);
  }
}
