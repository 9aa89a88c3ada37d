package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureMessageTest {

  private static KubernetesClientException apiError(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void names_each_failed_child_with_the_api_servers_answer_in_name_order() {
    Map<String, Exception> failures = new LinkedHashMap<>();
    failures.put("service", apiError(500, "etcdserver: request timed out"));
    failures.put("deployment", apiError(409, "the object has been modified"));
    Exception e =
        new OperatorException(
            new AggregatedOperatorException("Exception(s) during workflow execution.", failures));

    assertThat(FailureMessage.of(e))
        .isEqualTo(
            "deployment: 409 the object has been modified;"
                + " service: 500 etcdserver: request timed out");
  }

  @Test
  void names_the_connection_failure_under_the_clients_wrapping() {
    Exception e =
        new KubernetesClientException(
            "Operation: [patch] for kind: [ModelServer] failed.",
            new IOException(new ConnectException("Connection refused")));

    assertThat(FailureMessage.of(e))
        .isEqualTo(
            "Operation: [patch] for kind: [ModelServer] failed."
                + " (ConnectException: Connection refused)");
  }

  @Test
  void is_short_enough_for_a_condition_message() {
    String message = FailureMessage.of(new IllegalStateException("x".repeat(5000)));

    assertThat(message).hasSize(FailureMessage.MAX_LENGTH).endsWith("…");
  }

  private static KubernetesClientException notFound(String group, String kind, String name) {
    return new KubernetesClientException(
        new StatusBuilder()
            .withCode(404)
            .withReason("NotFound")
            .withMessage(kind + "." + group + " \"" + name + "\" not found")
            .withNewDetails()
            .withGroup(group)
            .withKind(kind)
            .withName(name)
            .endDetails()
            .build());
  }

  @Test
  void a_model_server_deleted_during_its_reconciliation_is_told_apart_from_a_failure() {
    ModelServer server = TestModelServers.minimal("embeddings", "ns");

    assertThat(
            FailureMessage.modelServerGone(
                new OperatorException(
                    notFound("serving.mlplatform.dev", "modelservers", "embeddings")),
                server))
        .isTrue();
    assertThat(
            FailureMessage.modelServerGone(
                notFound("serving.mlplatform.dev", "modelservers", "other"), server))
        .as("another ModelServer")
        .isFalse();
    assertThat(FailureMessage.modelServerGone(notFound("", "configmaps", "embeddings"), server))
        .as("a child")
        .isFalse();
    assertThat(FailureMessage.modelServerGone(apiError(500, "etcdserver: timeout"), server))
        .isFalse();
  }
}
