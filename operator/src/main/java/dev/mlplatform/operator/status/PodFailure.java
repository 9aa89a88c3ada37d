package dev.mlplatform.operator.status;

import dev.mlplatform.contract.ExitCodes;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A pod of the ModelServer that cannot serve, as the kubelet reports it.
 *
 * @param reason a Kubernetes-style reason: Unschedulable, CrashLoopBackOff, ImagePullBackOff,
 *     ErrImagePull, OOMKilled, the server's own ModelLoadFailed and InvalidServerConfig, or why the
 *     model could not be downloaded (ModelNotFound, Unauthorized, NoSupportedWeights,
 *     DownloadFailed)
 * @param message what went wrong, naming the pod
 */
public record PodFailure(String reason, String message) {

  private static final String UNSCHEDULABLE = "Unschedulable";

  private static final Set<String> IMAGE_ERRORS =
      Set.of(
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "ErrImageNeverPull",
          "CreateContainerConfigError",
          "CreateContainerError");

  /** The first failure among {@code pods}, in pod-name order so the message is stable. */
  public static Optional<PodFailure> firstOf(Collection<Pod> pods) {
    return pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(PodFailure::of)
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** The failure of one pod, if its containers report one. */
  public static Optional<PodFailure> of(Pod pod) {
    if (pod.getStatus() == null || pod.getMetadata().getDeletionTimestamp() != null) {
      return Optional.empty();
    }
    List<ContainerStatus> statuses =
        Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of());
    String podName = pod.getMetadata().getName();
    // the model download runs first; when it fails, the server container never starts
    Optional<ModelFetchReport> fetch = ModelFetchReport.failureOf(pod);
    if (fetch.isPresent()) {
      return Optional.of(
          new PodFailure(
              fetch.get().reason(),
              "pod "
                  + podName
                  + " could not fetch its model ("
                  + fetch.get().restarts()
                  + " restarts): "
                  + fetch.get().message()));
    }
    // no node has room or matches (requests, nodeSelector, taints): nothing will start until the
    // cluster or the spec changes, and the pod has no container status to say so
    Optional<PodFailure> unschedulable =
        Optional.ofNullable(pod.getStatus().getConditions()).orElse(List.of()).stream()
            .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
            .filter(c -> UNSCHEDULABLE.equals(c.getReason()))
            .findFirst()
            .map(
                c ->
                    new PodFailure(
                        UNSCHEDULABLE,
                        "pod "
                            + podName
                            + " cannot be scheduled: "
                            + Optional.ofNullable(c.getMessage()).orElse("no node fits it")));
    if (unschedulable.isPresent()) {
      return unschedulable;
    }
    List<ContainerStatus> initStatuses =
        Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).orElse(List.of());
    for (ContainerStatus status : initStatuses) {
      Optional<PodFailure> failure = of(podName, status);
      if (failure.isPresent()) {
        return failure;
      }
    }
    for (ContainerStatus status : statuses) {
      Optional<PodFailure> failure = of(podName, status);
      if (failure.isPresent()) {
        return failure;
      }
    }
    return Optional.empty();
  }

  private static Optional<PodFailure> of(String podName, ContainerStatus status) {
    var state = status.getState();
    var last = status.getLastState();
    ContainerStateTerminated lastTerminated = last == null ? null : last.getTerminated();
    ContainerStateTerminated terminated = state == null ? null : state.getTerminated();
    if (terminated != null && "OOMKilled".equals(terminated.getReason())) {
      return Optional.of(oomKilled(podName, status));
    }
    if (state != null && state.getWaiting() != null) {
      String reason = state.getWaiting().getReason();
      String message = Optional.ofNullable(state.getWaiting().getMessage()).orElse("");
      if ("CrashLoopBackOff".equals(reason)) {
        if (lastTerminated != null && "OOMKilled".equals(lastTerminated.getReason())) {
          return Optional.of(oomKilled(podName, status));
        }
        Optional<PodFailure> serverExit = serverExit(podName, status, lastTerminated);
        if (serverExit.isPresent()) {
          return serverExit;
        }
        String cause =
            lastTerminated == null
                ? ""
                : "; last exit code "
                    + lastTerminated.getExitCode()
                    + Optional.ofNullable(lastTerminated.getMessage())
                        .filter(m -> !m.isBlank())
                        .map(m -> ": " + m.strip())
                        .orElse("");
        return Optional.of(
            new PodFailure(
                reason,
                "pod "
                    + podName
                    + " container "
                    + status.getName()
                    + " is crash-looping ("
                    + status.getRestartCount()
                    + " restarts"
                    + cause
                    + ")"));
      }
      if (reason != null && IMAGE_ERRORS.contains(reason)) {
        return Optional.of(
            new PodFailure(
                reason,
                "pod "
                    + podName
                    + " cannot start container "
                    + status.getName()
                    + " with image "
                    + status.getImage()
                    + (message.isBlank() ? "" : ": " + message)));
      }
    }
    return Optional.empty();
  }

  /**
   * The model server's own start-up failures, told apart by its exit status and last log lines (the
   * Deployment sets terminationMessagePolicy FallbackToLogsOnError, so the kubelet copies them into
   * the termination message): exit 2 is an invalid setting, "cannot load the model" a model that
   * would not load.
   */
  private static Optional<PodFailure> serverExit(
      String podName, ContainerStatus status, ContainerStateTerminated terminated) {
    if (terminated == null) {
      return Optional.empty();
    }
    String message = Optional.ofNullable(terminated.getMessage()).orElse("").strip();
    String detail = message.isEmpty() ? "" : ": " + lastLines(message);
    // the model server exits 3 when it cannot load its model, 2 on an invalid setting
    if (Integer.valueOf(ExitCodes.MODEL_LOAD_FAILED).equals(terminated.getExitCode())
        || message.contains("cannot load the model")) {
      return Optional.of(
          new PodFailure(
              "ModelLoadFailed",
              "pod "
                  + podName
                  + " container "
                  + status.getName()
                  + " could not load its model ("
                  + status.getRestartCount()
                  + " restarts)"
                  + detail));
    }
    if (Integer.valueOf(ExitCodes.INVALID_CONFIG).equals(terminated.getExitCode())
        || message.contains("invalid configuration")) {
      return Optional.of(
          new PodFailure(
              "InvalidServerConfig",
              "pod "
                  + podName
                  + " container "
                  + status.getName()
                  + " rejected its configuration (exit code "
                  + terminated.getExitCode()
                  + ")"
                  + detail));
    }
    return Optional.empty();
  }

  /** The end of a log excerpt, which is where a failing server says why. */
  static String lastLines(String message) {
    String[] lines = message.split("\\R");
    StringBuilder tail = new StringBuilder();
    for (int i = Math.max(0, lines.length - 3); i < lines.length; i++) {
      if (tail.length() > 0) {
        tail.append(" | ");
      }
      tail.append(lines[i].strip());
    }
    return tail.length() > 400 ? tail.substring(tail.length() - 400) : tail.toString();
  }

  private static PodFailure oomKilled(String podName, ContainerStatus status) {
    return new PodFailure(
        "OOMKilled",
        "pod "
            + podName
            + " container "
            + status.getName()
            + " was killed for exceeding its memory limit; raise spec.resources.limits.memory");
  }
}
