package dev.mlplatform.operator.status;

import dev.mlplatform.contract.FetchProgress;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;

/**
 * A pod whose fetch-model init container is running, and the progress its log tail reports (empty
 * until its first progress line, or when the log cannot be read).
 */
public record FetchInProgress(String pod, Optional<FetchProgress> progress) {

  /** Log lines read from the tail: progress comes every 5 s, other lines only between files. */
  public static final int TAIL_LINES = 20;

  /**
   * The first pod (by name) downloading its model, with what {@code logTail} (the fetch container's
   * last {@link #TAIL_LINES} lines, or {@code null}) reports.
   */
  public static Optional<FetchInProgress> of(Collection<Pod> pods, Function<Pod, String> logTail) {
    return pods.stream()
        .filter(FetchInProgress::fetching)
        .min(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(
            p ->
                new FetchInProgress(
                    p.getMetadata().getName(), FetchProgress.lastIn(logTail.apply(p))));
  }

  /**
   * "pod P is downloading S: 12.3 MB of 45.6 MB (27%)", or that it started when no line came yet.
   */
  public String describe(String source) {
    return "pod "
        + pod
        + " is downloading "
        + progress.map(FetchProgress::source).orElse(source)
        + progress.map(p -> ": " + p.describe()).orElse("");
  }

  private static boolean fetching(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
      return false;
    }
    for (ContainerStatus status : pod.getStatus().getInitContainerStatuses()) {
      if (DeploymentDesiredState.FETCH_CONTAINER.equals(status.getName())
          && status.getState() != null
          && status.getState().getRunning() != null) {
        return true;
      }
    }
    return false;
  }
}
