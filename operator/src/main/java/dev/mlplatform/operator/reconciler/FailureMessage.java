package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Says in one short line why a reconciliation failed, for the Degraded condition: which child
 * failed and what the API server answered ("deployment: 500 etcdserver: request timed out"), not
 * the request URL and stack of the exception's own message.
 */
final class FailureMessage {

  static final int MAX_LENGTH = 400;

  /** How the API server names the resource in a NotFound answer's details. */
  private static final String MODEL_SERVERS = "modelservers";

  private FailureMessage() {}

  static String of(Exception e) {
    String message;
    // The workflow's failures may arrive wrapped in another exception.
    Throwable unwrapped = e;
    while (!(unwrapped instanceof AggregatedOperatorException) && unwrapped.getCause() != null) {
      unwrapped = unwrapped.getCause();
    }
    if (unwrapped instanceof AggregatedOperatorException aggregated
        && !aggregated.getAggregatedExceptions().isEmpty()) {
      StringBuilder parts = new StringBuilder();
      Map<String, Exception> byChild = new TreeMap<>(aggregated.getAggregatedExceptions());
      byChild.forEach(
          (child, failure) ->
              parts
                  .append(parts.length() == 0 ? "" : "; ")
                  .append(child)
                  .append(": ")
                  .append(describe(failure)));
      message = parts.toString();
    } else {
      message = describe(e);
    }
    return message.length() > MAX_LENGTH ? message.substring(0, MAX_LENGTH - 1) + "…" : message;
  }

  /**
   * Whether {@code e} is the API server saying that {@code server} itself no longer exists: it was
   * deleted while the reconciliation ran, so the status write found nothing to write to.
   */
  static boolean modelServerGone(Exception e, ModelServer server) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k
          && k.getCode() == 404
          && k.getStatus() != null
          && k.getStatus().getDetails() != null
          && MODEL_SERVERS.equals(k.getStatus().getDetails().getKind())
          && ModelServer.GROUP.equals(k.getStatus().getDetails().getGroup())
          && server.getMetadata().getName().equals(k.getStatus().getDetails().getName())) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable failure) {
    if (failure instanceof KubernetesClientException k
        && k.getStatus() != null
        && k.getStatus().getMessage() != null) {
      return k.getCode() + " " + k.getStatus().getMessage();
    }
    // Connection failures arrive wrapped ("Operation ... failed" around an IOException around a
    // ConnectException): name the first cause that says more than that it is an I/O failure.
    String text =
        Optional.ofNullable(failure.getMessage()).orElse(failure.getClass().getSimpleName());
    for (Throwable cause = failure.getCause();
        cause != null && cause != cause.getCause();
        cause = cause.getCause()) {
      if (cause.getClass() != IOException.class && !(cause instanceof KubernetesClientException)) {
        return text
            + " ("
            + cause.getClass().getSimpleName()
            + Optional.ofNullable(cause.getMessage()).map(m -> ": " + m).orElse("")
            + ")";
      }
    }
    return text;
  }
}
