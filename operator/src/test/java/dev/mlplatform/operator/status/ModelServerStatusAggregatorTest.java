package dev.mlplatform.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelServerStatusAggregatorTest {

  private static final String URL = "http://a.ns.svc.cluster.local";
  private static final Clock T0 =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final Clock T1 =
      Clock.fixed(Instant.parse("2026-01-01T00:05:00Z"), ZoneOffset.UTC);

  static Deployment deployment(int replicas, int ready) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("a")
        .withGeneration(2L)
        .endMetadata()
        .withNewStatus()
        .withObservedGeneration(2L)
        .withReplicas(replicas)
        .withUpdatedReplicas(replicas)
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .endStatus()
        .build();
  }

  static HorizontalPodAutoscaler hpa(int desired) {
    return new HorizontalPodAutoscalerBuilder()
        .withNewStatus()
        .withDesiredReplicas(desired)
        .withCurrentReplicas(desired)
        .endStatus()
        .build();
  }

  static Pod waitingPod(String name, String reason) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("model-server")
                .withImage("img:1")
                .withRestartCount(4)
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage("back-off")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .withMessage("MODEL_URI is required")
                .endTerminated()
                .endLastState()
                .build())
        .endStatus()
        .build();
  }

  static Pod oomKilledPod(String name) {
    Pod pod = waitingPod(name, "CrashLoopBackOff");
    pod.getStatus()
        .getContainerStatuses()
        .get(0)
        .getLastState()
        .getTerminated()
        .setReason("OOMKilled");
    pod.getStatus().getContainerStatuses().get(0).getLastState().getTerminated().setExitCode(137);
    return pod;
  }

  static Condition condition(ModelServerStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static ModelServer server() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    server.getMetadata().setGeneration(3L);
    return server;
  }

  @Test
  void ready_deployment_gives_ready_status_with_counts_desired_replicas_and_url() {
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(2, 2))
            .hpa(hpa(3))
            .url(URL)
            .build();
    assertThat(status.getObservedGeneration()).isEqualTo(3L);
    assertThat(status.getReplicas()).isEqualTo(2);
    assertThat(status.getReadyReplicas()).isEqualTo(2);
    assertThat(status.getDesiredReplicas()).isEqualTo(3);
    assertThat(status.getReady()).isEqualTo("2/2");
    assertThat(status.getUrl()).isEqualTo(URL);
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Degraded").getStatus()).isEqualTo("False");
    assertThat(status.getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
  }

  @Test
  void missing_deployment_is_not_ready_and_progressing() {
    ModelServerStatus status = new ModelServerStatusAggregator(server(), T0).url(URL).build();
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("DeploymentPending");
    assertThat(condition(status, "Progressing").getStatus()).isEqualTo("True");
  }

  @Test
  void last_transition_time_changes_only_when_the_status_flips() {
    ModelServer server = server();
    ModelServerStatus first =
        new ModelServerStatusAggregator(server, T0).deployment(deployment(1, 0)).url(URL).build();
    server.setStatus(first);
    ModelServerStatus same =
        new ModelServerStatusAggregator(server, T1).deployment(deployment(1, 0)).url(URL).build();
    assertThat(same).as("nothing changed, so nothing to write").isEqualTo(first);

    server.setStatus(same);
    ModelServerStatus ready =
        new ModelServerStatusAggregator(server, T1).deployment(deployment(1, 1)).url(URL).build();
    assertThat(condition(ready, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T00:05:00Z");
    assertThat(condition(ready, "Degraded").getLastTransitionTime())
        .as("Degraded stayed False")
        .isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void crash_looping_pod_degrades_with_the_last_exit_message() {
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(1, 0))
            .pods(List.of(waitingPod("a-1", "CrashLoopBackOff")))
            .url(URL)
            .build();
    Condition degraded = condition(status, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(degraded.getMessage()).contains("a-1", "4 restarts", "MODEL_URI is required");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("CrashLoopBackOff");
  }

  @Test
  void failed_model_load_is_told_apart_from_other_crashes() {
    Pod pod = waitingPod("a-1", "CrashLoopBackOff");
    pod.getStatus()
        .getContainerStatuses()
        .get(0)
        .getLastState()
        .getTerminated()
        .setMessage("INFO starting\nERROR cannot load the model: no model files in /models/x");
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(1, 0))
            .pods(List.of(pod))
            .build();
    assertThat(condition(status, "Degraded").getReason()).isEqualTo("ModelLoadFailed");
    assertThat(condition(status, "Degraded").getMessage())
        .contains("could not load its model", "no model files in /models/x");
  }

  @Test
  void the_model_servers_exit_code_3_means_a_failed_model_load_even_when_the_log_was_cut() {
    Pod pod = waitingPod("a-1", "CrashLoopBackOff");
    var terminated = pod.getStatus().getContainerStatuses().get(0).getLastState().getTerminated();
    terminated.setExitCode(3);
    terminated.setMessage("...truncated stack frames");
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(1, 0))
            .pods(List.of(pod))
            .build();
    assertThat(condition(status, "Degraded").getReason()).isEqualTo("ModelLoadFailed");
  }

  @Test
  void server_rejecting_its_configuration_is_reported_as_invalid_server_config() {
    Pod pod = waitingPod("a-1", "CrashLoopBackOff");
    var terminated = pod.getStatus().getContainerStatuses().get(0).getLastState().getTerminated();
    terminated.setExitCode(2);
    terminated.setMessage("invalid configuration: MAX_INPUTS_PER_REQUEST must be <= 1024");
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(1, 0))
            .pods(List.of(pod))
            .build();
    assertThat(condition(status, "Degraded").getReason()).isEqualTo("InvalidServerConfig");
    assertThat(condition(status, "Degraded").getMessage()).contains("MAX_INPUTS_PER_REQUEST");
  }

  @Test
  void image_pull_errors_degrade_with_their_own_reason() {
    for (String reason : List.of("ImagePullBackOff", "ErrImagePull")) {
      ModelServerStatus status =
          new ModelServerStatusAggregator(server(), T0)
              .deployment(deployment(1, 0))
              .pods(List.of(waitingPod("a-1", reason)))
              .build();
      assertThat(condition(status, "Degraded").getReason()).isEqualTo(reason);
      assertThat(condition(status, "Degraded").getMessage()).contains("img:1");
    }
  }

  @Test
  void a_pod_no_node_can_take_degrades_as_unschedulable_with_the_schedulers_message() {
    Pod pending =
        new PodBuilder()
            .withNewMetadata()
            .withName("a-1")
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/1 nodes are available: 1 Insufficient cpu.")
            .endCondition()
            .endStatus()
            .build();
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(1, 0))
            .pods(List.of(pending))
            .build();
    assertThat(condition(status, "Degraded").getReason()).isEqualTo("Unschedulable");
    assertThat(condition(status, "Degraded").getMessage())
        .isEqualTo("pod a-1 cannot be scheduled: 0/1 nodes are available: 1 Insufficient cpu.");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");

    Pod waitingForScheduler =
        new PodBuilder(pending).editStatus().withConditions(List.of()).endStatus().build();
    assertThat(
            condition(
                    new ModelServerStatusAggregator(server(), T0)
                        .deployment(deployment(1, 0))
                        .pods(List.of(waitingForScheduler))
                        .build(),
                    "Degraded")
                .getStatus())
        .as("a pod the scheduler has not looked at yet is no failure")
        .isEqualTo("False");
  }

  @Test
  void oom_killed_container_degrades_as_oom_killed_and_points_at_the_memory_limit() {
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(2, 1))
            .pods(List.of(oomKilledPod("a-2")))
            .build();
    assertThat(condition(status, "Degraded").getReason()).isEqualTo("OOMKilled");
    assertThat(condition(status, "Degraded").getMessage()).contains("limits.memory");
    assertThat(condition(status, "Ready").getStatus()).as("one pod still serves").isEqualTo("True");
  }

  @Test
  void invalid_spec_degrades_with_the_message_and_keeps_previous_counts() {
    ModelServer server = server();
    server.setStatus(
        new ModelServerStatusAggregator(server, T0).deployment(deployment(2, 2)).url(URL).build());
    ModelServerStatus status =
        new ModelServerStatusAggregator(server, T1)
            .invalidSpec("invalid spec: spec.replicas.max: must be >= spec.replicas.min (1 < 3)")
            .build();
    assertThat(condition(status, "Degraded").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(status, "Degraded").getMessage()).contains("spec.replicas.max");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("InvalidSpec");
    assertThat(status.getReadyReplicas()).isEqualTo(2);
  }

  @Test
  void rollout_in_progress_is_reported_as_progressing() {
    Deployment rolling = deployment(3, 2);
    rolling.getStatus().setUpdatedReplicas(1);
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0).deployment(rolling).url(URL).build();
    assertThat(condition(status, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Progressing").getReason()).isEqualTo("RollingOut");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
  }

  @Test
  void service_monitor_ready_sets_monitoring_ready_true_naming_it_and_the_interval() {
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(1, 1))
            .url(URL)
            .serviceMonitorReady("a", "15s")
            .build();
    Condition monitoring = condition(status, "MonitoringReady");
    assertThat(monitoring.getStatus()).isEqualTo("True");
    assertThat(monitoring.getReason()).isEqualTo("ServiceMonitorReady");
    assertThat(monitoring.getMessage()).contains("ServiceMonitor a", "metrics", "every 15s");
    assertThat(monitoring.getObservedGeneration()).isEqualTo(3L);
  }

  @Test
  void missing_service_monitor_crd_is_reported_without_touching_ready_or_degraded() {
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(2, 2))
            .url(URL)
            .serviceMonitorCrdMissing(Duration.ofMinutes(1))
            .build();
    Condition monitoring = condition(status, "MonitoringReady");
    assertThat(monitoring.getStatus()).isEqualTo("False");
    assertThat(monitoring.getReason()).isEqualTo("ServiceMonitorCRDMissing");
    assertThat(monitoring.getMessage())
        .contains("servicemonitors.monitoring.coreos.com", "prometheus.io/scrape", "every 60s");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void failed_discovery_makes_monitoring_ready_unknown_with_the_error() {
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .url(URL)
            .monitoringUnknown("connection refused")
            .build();
    Condition monitoring = condition(status, "MonitoringReady");
    assertThat(monitoring.getStatus()).isEqualTo("Unknown");
    assertThat(monitoring.getReason()).isEqualTo("DiscoveryFailed");
    assertThat(monitoring.getMessage()).endsWith(": connection refused");
  }

  @Test
  void disabled_monitoring_has_no_monitoring_ready_condition() {
    ModelServer server = server();
    server.setStatus(
        new ModelServerStatusAggregator(server, T0)
            .deployment(deployment(1, 1))
            .url(URL)
            .serviceMonitorReady("a", "30s")
            .build());
    ModelServerStatus status =
        new ModelServerStatusAggregator(server, T1).deployment(deployment(1, 1)).url(URL).build();
    assertThat(status.getConditions())
        .extracting(Condition::getType)
        .containsExactly("Ready", "Progressing", "Degraded");
  }

  @Test
  void invalid_spec_and_failed_applies_keep_the_last_observed_monitoring_ready() {
    ModelServer server = server();
    server.setStatus(
        new ModelServerStatusAggregator(server, T0)
            .deployment(deployment(1, 1))
            .url(URL)
            .serviceMonitorCrdMissing(Duration.ofMinutes(1))
            .build());
    Condition before = condition(server.getStatus(), "MonitoringReady");

    ModelServerStatus invalid =
        new ModelServerStatusAggregator(server, T1).invalidSpec("invalid spec: x").build();
    ModelServerStatus failed =
        new ModelServerStatusAggregator(server, T1)
            .reconcileError("etcdserver: request timed out")
            .deployment(deployment(1, 1))
            .url(URL)
            .build();
    assertThat(condition(invalid, "MonitoringReady")).isEqualTo(before);
    assertThat(condition(failed, "MonitoringReady")).isEqualTo(before);
  }

  @Test
  void monitoring_ready_keeps_its_transition_time_until_its_status_flips() {
    ModelServer server = server();
    server.setStatus(
        new ModelServerStatusAggregator(server, T0)
            .url(URL)
            .serviceMonitorCrdMissing(Duration.ofMinutes(1))
            .build());
    ModelServerStatus same =
        new ModelServerStatusAggregator(server, T1)
            .url(URL)
            .serviceMonitorCrdMissing(Duration.ofMinutes(1))
            .build();
    assertThat(same)
        .as("a rescheduled check that finds nothing new writes nothing")
        .isEqualTo(server.getStatus());

    server.setStatus(same);
    ModelServerStatus installed =
        new ModelServerStatusAggregator(server, T1)
            .url(URL)
            .serviceMonitorReady("a", "30s")
            .build();
    assertThat(condition(installed, "MonitoringReady").getLastTransitionTime())
        .isEqualTo("2026-01-01T00:05:00Z");
  }

  @Test
  void an_hpa_without_metrics_reports_no_desired_replicas_rather_than_zero() {
    ModelServerStatus status =
        new ModelServerStatusAggregator(server(), T0)
            .deployment(deployment(1, 1))
            .hpa(hpa(0))
            .url(URL)
            .build();

    assertThat(status.getDesiredReplicas()).isNull();
    assertThat(status.getReady()).isEqualTo("1/1");
  }
}
