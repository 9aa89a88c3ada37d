package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.status.FetchInProgress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last lines of a pod's fetch-model init container ({@code pods/log} with {@code tailLines}):
 * the one place the operator reads a container's log, to show a running download's progress. The
 * server's pods have no API access of their own, so their log is the channel that needs none.
 */
final class FetchLogTail {
  private static final Logger log = LoggerFactory.getLogger(FetchLogTail.class);

  private FetchLogTail() {}

  /** The tail, or {@code null} when the kubelet cannot be reached or the read is refused. */
  static String of(KubernetesClient client, Pod pod) {
    try {
      return client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .inContainer(DeploymentDesiredState.FETCH_CONTAINER)
          .tailingLines(FetchInProgress.TAIL_LINES)
          .getLog();
    } catch (KubernetesClientException e) {
      // progress is a nicety: the condition then says the download runs, without figures
      log.debug(
          "cannot read the fetch log of {}/{}: {}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          e.getMessage());
      return null;
    }
  }
}
