package dev.mlplatform.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.operator.api.v1alpha1.ModelStatus;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a pod's fetch-model init container left in its termination message: the server's {@code
 * fetch} writes one JSON object, with the source, resolved revision, size and digest on success, or
 * the reason and message on failure.
 *
 * @param pod the pod's name
 * @param restarts how often the init container restarted
 */
public record ModelFetchReport(
    String pod,
    int restarts,
    boolean succeeded,
    String source,
    String revision,
    Long bytes,
    String sha256,
    String reason,
    String message) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The first success among the pods (pod-name order), for status.model. */
  public static Optional<ModelFetchReport> firstSuccess(Collection<Pod> pods) {
    return all(pods).stream().filter(ModelFetchReport::succeeded).findFirst();
  }

  /** The first failure among the pods (pod-name order). */
  public static Optional<ModelFetchReport> firstFailure(Collection<Pod> pods) {
    return all(pods).stream().filter(r -> !r.succeeded()).findFirst();
  }

  /** The failure of this pod's fetch, if it has one. */
  static Optional<ModelFetchReport> failureOf(Pod pod) {
    return of(pod).filter(r -> !r.succeeded());
  }

  public ModelStatus model() {
    return new ModelStatus(source, revision, bytes, sha256);
  }

  private static List<ModelFetchReport> all(Collection<Pod> pods) {
    return pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(ModelFetchReport::of)
        .flatMap(Optional::stream)
        .toList();
  }

  private static Optional<ModelFetchReport> of(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus status : pod.getStatus().getInitContainerStatuses()) {
      if (!DeploymentDesiredState.FETCH_CONTAINER.equals(status.getName())) {
        continue;
      }
      ContainerStateTerminated terminated =
          status.getState() != null && status.getState().getTerminated() != null
              ? status.getState().getTerminated()
              : status.getLastState() != null ? status.getLastState().getTerminated() : null;
      if (terminated != null) {
        return Optional.of(read(pod.getMetadata().getName(), status.getRestartCount(), terminated));
      }
    }
    return Optional.empty();
  }

  private static ModelFetchReport read(
      String pod, Integer restarts, ContainerStateTerminated terminated) {
    int restartCount = restarts == null ? 0 : restarts;
    boolean ok = Integer.valueOf(0).equals(terminated.getExitCode());
    String text = Optional.ofNullable(terminated.getMessage()).orElse("").strip();
    JsonNode json;
    try {
      json = text.startsWith("{") ? JSON.readTree(text) : JSON.missingNode();
    } catch (IOException e) {
      json = JSON.missingNode();
    }
    String message =
        json.path("message").isTextual()
            ? json.path("message").asText()
            : text.isEmpty() ? "exit code " + terminated.getExitCode() : PodFailure.lastLines(text);
    return new ModelFetchReport(
        pod,
        restartCount,
        ok,
        json.path("source").asText(null),
        json.path("revision").asText(null),
        json.path("bytes").isNumber() ? json.path("bytes").asLong() : null,
        json.path("sha256").asText(null),
        ok ? null : json.path("reason").asText(ConditionTypes.REASON_MODEL_FETCH_FAILED),
        ok ? null : message);
  }
}
