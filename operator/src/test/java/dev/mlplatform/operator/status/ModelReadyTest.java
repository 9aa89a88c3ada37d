package dev.mlplatform.operator.status;

import static dev.mlplatform.operator.status.ModelServerStatusAggregatorTest.condition;
import static dev.mlplatform.operator.status.ModelServerStatusAggregatorTest.deployment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * ModelReady and status.model, from what the pods' fetch-model init containers leave in their
 * termination message (the JSON the server's {@code fetch} writes).
 */
class ModelReadyTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);
  private static final String COMMIT = "5c38ec7c405ec4b44b94cc5a9bb96e735b38267a";

  private static ModelServer server(String uri) {
    ModelServer server = TestModelServers.minimal("a", "ns");
    server.getSpec().getModel().setId("BAAI/bge-small-en-v1.5");
    server.getSpec().getModel().setUri(uri);
    server.getMetadata().setGeneration(1L);
    return server;
  }

  /** A pod whose fetch-model init container ended with {@code exit} and {@code message}. */
  private static Pod fetched(String name, int exit, String message, boolean crashLooping) {
    var status =
        new ContainerStatusBuilder()
            .withName("fetch-model")
            .withImage("img:1")
            .withRestartCount(crashLooping ? 3 : 0);
    if (crashLooping) {
      status
          .withNewState()
          .withNewWaiting()
          .withReason("CrashLoopBackOff")
          .endWaiting()
          .endState()
          .withNewLastState()
          .withNewTerminated()
          .withExitCode(exit)
          .withMessage(message)
          .endTerminated()
          .endLastState();
    } else {
      status
          .withNewState()
          .withNewTerminated()
          .withExitCode(exit)
          .withMessage(message)
          .endTerminated()
          .endState();
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withInitContainerStatuses(status.build())
        .endStatus()
        .build();
  }

  private static ModelServerStatus status(ModelServer server, Pod... pods) {
    return new ModelServerStatusAggregator(server, CLOCK)
        .deployment(deployment(1, 0))
        .pods(List.of(pods))
        .url("http://a.ns.svc.cluster.local")
        .build();
  }

  @Test
  void a_failed_download_says_the_hubs_reason_in_model_ready_ready_and_degraded() {
    Pod pod =
        fetched(
            "a-1",
            3,
            "{\"source\":\"hf://BAAI/bge-small-en-v1.5@main\",\"reason\":\"ModelNotFound\","
                + "\"message\":\"ModelNotFound: hf://BAAI/bge-small-en-v1.5@main: not found:"
                + " Repository not found\"}",
            true);

    ModelServerStatus status = status(server(null), pod);

    assertThat(condition(status, "ModelReady").getStatus()).isEqualTo("False");
    assertThat(condition(status, "ModelReady").getReason()).isEqualTo("ModelNotFound");
    assertThat(condition(status, "ModelReady").getMessage()).contains("Repository not found");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("ModelNotFound");
    assertThat(condition(status, "Degraded").getReason()).isEqualTo("ModelNotFound");
    assertThat(condition(status, "Degraded").getMessage())
        .contains("pod a-1 could not fetch its model (3 restarts)", "Repository not found");
  }

  @Test
  void a_successful_download_records_source_commit_size_and_digest() {
    Pod pod =
        fetched(
            "a-1",
            0,
            "{\"source\":\"hf://BAAI/bge-small-en-v1.5@main\",\"revision\":\""
                + COMMIT
                + "\",\"bytes\":133900000,\"sha256\":\"abc123\"}",
            false);

    ModelServerStatus status = status(server("hf://BAAI/bge-small-en-v1.5"), pod);

    assertThat(condition(status, "ModelReady").getStatus()).isEqualTo("True");
    assertThat(condition(status, "ModelReady").getMessage())
        .isEqualTo("hf://BAAI/bge-small-en-v1.5@main at commit " + COMMIT + " (133.9 MB)");
    assertThat(status.getModel().getRevision()).isEqualTo(COMMIT);
    assertThat(status.getModel().getBytes()).isEqualTo(133_900_000L);
    assertThat(status.getModel().getSha256()).isEqualTo("abc123");
    assertThat(status.getModel().getSource()).isEqualTo("hf://BAAI/bge-small-en-v1.5@main");
  }

  @Test
  void a_download_killed_without_a_report_still_fails_visibly() {
    ModelServerStatus status =
        status(server("https://models.example/m.tar.gz"), fetched("a-1", 137, "", true));

    assertThat(condition(status, "ModelReady").getReason()).isEqualTo("ModelFetchFailed");
    assertThat(condition(status, "ModelReady").getMessage()).contains("exit code 137");
  }

  @Test
  void before_any_pod_reports_the_model_is_being_fetched_and_bundled_models_have_no_condition() {
    ModelServerStatus fetching = status(server("hf://BAAI/bge-small-en-v1.5"));
    assertThat(condition(fetching, "ModelReady").getStatus()).isEqualTo("Unknown");
    assertThat(condition(fetching, "ModelReady").getReason()).isEqualTo("Fetching");

    ModelServerStatus bundled = status(TestModelServers.minimal("a", "ns"));
    assertThat(bundled.getConditions()).noneMatch(c -> c.getType().equals("ModelReady"));
    assertThat(bundled.getModel()).isNull();
  }

  /** A pod whose fetch-model init container is running. */
  private static Pod downloading(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withInitContainerStatuses(
            new ContainerStatusBuilder()
                .withName("fetch-model")
                .withNewState()
                .withNewRunning("2026-12-04T09:59:00Z")
                .endState()
                .build())
        .endStatus()
        .build();
  }

  @Test
  void a_running_download_shows_bytes_done_of_total_and_percent_from_its_log_tail() {
    ModelServer server = server("hf://BAAI/bge-small-en-v1.5");
    List<Pod> pods = List.of(downloading("a-2"), downloading("a-1"));
    String tail =
        "INFO fetch progress: 1000000/133000000 bytes of hf://BAAI/bge-small-en-v1.5@main\n"
            + "INFO fetch progress: 33250000/133000000 bytes of hf://BAAI/bge-small-en-v1.5@main\n";
    List<String> read = new java.util.ArrayList<>();

    Optional<FetchInProgress> fetching =
        FetchInProgress.of(
            pods,
            pod -> {
              read.add(pod.getMetadata().getName());
              return tail;
            });
    ModelServerStatus status =
        new ModelServerStatusAggregator(server, CLOCK)
            .deployment(deployment(1, 0))
            .pods(pods)
            .fetching(fetching)
            .build();

    assertThat(read).as("one log read, of the first pod by name").containsExactly("a-1");
    Condition modelReady = condition(status, "ModelReady");
    assertThat(modelReady.getStatus()).isEqualTo("Unknown");
    assertThat(modelReady.getReason()).isEqualTo("Fetching");
    assertThat(modelReady.getMessage())
        .isEqualTo(
            "pod a-1 is downloading hf://BAAI/bge-small-en-v1.5@main: 33.3 MB of 133.0 MB (25%)");
  }

  @Test
  void a_running_download_without_a_readable_log_still_names_its_pod_and_no_pod_means_no_read() {
    ModelServer server = server("hf://BAAI/bge-small-en-v1.5");
    Optional<FetchInProgress> fetching =
        FetchInProgress.of(List.of(downloading("a-1")), pod -> null);

    ModelServerStatus status =
        new ModelServerStatusAggregator(server, CLOCK)
            .deployment(deployment(1, 0))
            .pods(List.of(downloading("a-1")))
            .fetching(fetching)
            .build();

    assertThat(condition(status, "ModelReady").getMessage())
        .isEqualTo("pod a-1 is downloading hf://BAAI/bge-small-en-v1.5");
    assertThat(
            FetchInProgress.of(
                List.of(fetched("a-1", 0, "{}", false)),
                pod -> {
                  throw new AssertionError("read the log of a pod that is not downloading");
                }))
        .isEmpty();
  }
}
