package dev.mlplatform.operator.status;

import static dev.mlplatform.operator.status.ConditionTypes.AUTOSCALING_READY;
import static dev.mlplatform.operator.status.ConditionTypes.DEGRADED;
import static dev.mlplatform.operator.status.ConditionTypes.FALSE;
import static dev.mlplatform.operator.status.ConditionTypes.MODEL_READY;
import static dev.mlplatform.operator.status.ConditionTypes.MONITORING_READY;
import static dev.mlplatform.operator.status.ConditionTypes.PROGRESSING;
import static dev.mlplatform.operator.status.ConditionTypes.READY;
import static dev.mlplatform.operator.status.ConditionTypes.TRUE;
import static dev.mlplatform.operator.status.ConditionTypes.UNKNOWN;

import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerStatus;
import dev.mlplatform.operator.api.v1alpha1.ModelSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a ModelServer's whole status in one place from what the operator observed. A condition's
 * lastTransitionTime changes only when its status changes, so an unchanged world yields an equal
 * status and the reconciler can skip the write.
 */
public final class ModelServerStatusAggregator {

  private final Clock clock;
  private final ModelServer server;
  private final long generation;
  private String invalidSpec;
  private String reconcileError;
  private Deployment deployment;
  private HorizontalPodAutoscaler hpa;
  private Collection<Pod> pods = List.of();
  private String url;
  private Observed monitoring;
  private Observed autoscaling;
  private Optional<FetchInProgress> fetching = Optional.empty();

  /** A MonitoringReady or AutoscalingReady condition to set; none while its feature is off. */
  private record Observed(String status, String reason, String message) {}

  public ModelServerStatusAggregator(ModelServer server, Clock clock) {
    this.server = server;
    this.clock = clock;
    this.generation = Optional.ofNullable(server.getMetadata().getGeneration()).orElse(0L);
  }

  /** The spec broke a rule; {@code message} names the field(s). */
  public ModelServerStatusAggregator invalidSpec(String message) {
    this.invalidSpec = message;
    return this;
  }

  /** Applying the children failed with {@code message}. */
  public ModelServerStatusAggregator reconcileError(String message) {
    this.reconcileError = message;
    return this;
  }

  public ModelServerStatusAggregator deployment(Deployment deployment) {
    this.deployment = deployment;
    return this;
  }

  /** A pod downloading its model now, and how far it got. */
  public ModelServerStatusAggregator fetching(Optional<FetchInProgress> fetching) {
    this.fetching = fetching;
    return this;
  }

  public ModelServerStatusAggregator hpa(HorizontalPodAutoscaler hpa) {
    this.hpa = hpa;
    return this;
  }

  public ModelServerStatusAggregator pods(Collection<Pod> pods) {
    this.pods = Objects.requireNonNull(pods);
    return this;
  }

  public ModelServerStatusAggregator url(String url) {
    this.url = url;
    return this;
  }

  /** spec.monitoring is on and the ServiceMonitor {@code name} was applied. */
  public ModelServerStatusAggregator serviceMonitorReady(String name, String interval) {
    this.monitoring =
        new Observed(
            TRUE,
            ConditionTypes.REASON_SERVICE_MONITOR_READY,
            "ServiceMonitor "
                + name
                + " scrapes the Service's metrics port at /metrics every "
                + interval);
    return this;
  }

  /** spec.monitoring is on but the cluster does not serve the ServiceMonitor API. */
  public ModelServerStatusAggregator serviceMonitorCrdMissing(Duration recheck) {
    this.monitoring =
        new Observed(
            FALSE,
            ConditionTypes.REASON_SERVICE_MONITOR_CRD_MISSING,
            "the cluster does not serve monitoring.coreos.com/v1 ServiceMonitor (CRD"
                + " servicemonitors.monitoring.coreos.com, installed with the Prometheus Operator),"
                + " so there is no ServiceMonitor; the pods still carry prometheus.io/scrape"
                + " annotations. Checked again every "
                + recheck.toSeconds()
                + "s.");
    return this;
  }

  /**
   * spec.autoscaling.metric is queue or concurrency: AutoscalingReady True when the HPA reads
   * {@code externalMetric} from this operator, else False with {@code detail} and the CPU fallback.
   */
  public ModelServerStatusAggregator autoscaling(
      String metric, String externalMetric, boolean served, String detail) {
    this.autoscaling =
        served
            ? new Observed(
                TRUE,
                ConditionTypes.REASON_EXTERNAL_METRIC_SERVED,
                "the HPA scales on "
                    + metric
                    + " ("
                    + externalMetric
                    + " from the operator's external.metrics.k8s.io)"
                    + (detail.isBlank() ? "" : "; " + detail))
            : new Observed(
                FALSE,
                ConditionTypes.REASON_EXTERNAL_METRICS_UNAVAILABLE,
                "the HPA scales on cpu instead of " + metric + ": " + detail);
    return this;
  }

  /** spec.monitoring is on but API discovery failed before it ever answered. */
  public ModelServerStatusAggregator monitoringUnknown(String detail) {
    this.monitoring =
        new Observed(
            UNKNOWN,
            ConditionTypes.REASON_DISCOVERY_FAILED,
            "cannot tell whether the cluster serves monitoring.coreos.com/v1 ServiceMonitor: "
                + detail);
    return this;
  }

  /** The status to write, beside the one the ModelServer carries. */
  public StatusChange change() {
    return new StatusChange(server.getStatus(), build());
  }

  /** The status to write. */
  public ModelServerStatus build() {
    ModelServerStatus previous = server.getStatus();
    ModelServerStatus status = new ModelServerStatus();
    status.setObservedGeneration(generation);
    List<Condition> conditions = new ArrayList<>();

    if (invalidSpec != null) {
      // Children are left as they were; counts from before stay meaningful but the URL may not.
      copyCounts(previous, status);
      conditions.add(condition(READY, FALSE, ConditionTypes.REASON_INVALID_SPEC, invalidSpec));
      conditions.add(
          condition(
              PROGRESSING,
              FALSE,
              ConditionTypes.REASON_INVALID_SPEC,
              "the operator does not apply an invalid spec; fix it to continue"));
      conditions.add(condition(DEGRADED, TRUE, ConditionTypes.REASON_INVALID_SPEC, invalidSpec));
      previous(previous, MONITORING_READY).ifPresent(conditions::add);
      previous(previous, AUTOSCALING_READY).ifPresent(conditions::add);
      status.setConditions(withTransitionTimes(conditions, previous));
      return status;
    }

    status.setUrl(url);
    DeploymentStatus ds = deployment == null ? null : deployment.getStatus();
    int replicas = ds == null ? 0 : zeroIfNull(ds.getReplicas());
    int ready = ds == null ? 0 : zeroIfNull(ds.getReadyReplicas());
    int updated = ds == null ? 0 : zeroIfNull(ds.getUpdatedReplicas());
    status.setReplicas(replicas);
    status.setReadyReplicas(ready);
    status.setReady(ready + "/" + replicas);
    // an HPA that cannot read its metrics (no metrics API) reports 0, which is no one's wish:
    // minReplicas is at least 1 (seen on a real cluster)
    if (hpa != null
        && hpa.getStatus() != null
        && hpa.getStatus().getDesiredReplicas() != null
        && hpa.getStatus().getDesiredReplicas() > 0) {
      status.setDesiredReplicas(hpa.getStatus().getDesiredReplicas());
    }

    Optional<PodFailure> podFailure = PodFailure.firstOf(pods);

    // Ready
    if (deployment == null) {
      conditions.add(
          condition(
              READY,
              FALSE,
              ConditionTypes.REASON_DEPLOYMENT_PENDING,
              "the Deployment does not exist yet"));
    } else if (ready > 0) {
      conditions.add(
          condition(
              READY,
              TRUE,
              ConditionTypes.REASON_READY,
              ready + "/" + replicas + " replicas ready at " + url));
    } else {
      String reason =
          podFailure.map(PodFailure::reason).orElse(ConditionTypes.REASON_NO_READY_REPLICAS);
      conditions.add(condition(READY, FALSE, reason, "0/" + replicas + " replicas ready"));
    }

    // Progressing
    boolean rolloutPending =
        deployment == null
            || ds == null
            || ds.getObservedGeneration() == null
            || ds.getObservedGeneration() < zeroIfNull(deployment.getMetadata().getGeneration())
            || updated < replicas
            || ready < replicas
            || replicas == 0;
    if (rolloutPending) {
      conditions.add(
          condition(
              PROGRESSING,
              TRUE,
              ConditionTypes.REASON_ROLLING_OUT,
              updated + " updated, " + ready + " ready of " + replicas + " replicas"));
    } else {
      conditions.add(
          condition(
              PROGRESSING,
              FALSE,
              ConditionTypes.REASON_ROLLOUT_COMPLETE,
              "all " + replicas + " replicas run the current spec"));
    }

    // Degraded
    if (reconcileError != null) {
      conditions.add(
          condition(DEGRADED, TRUE, ConditionTypes.REASON_RECONCILE_FAILED, reconcileError));
    } else if (podFailure.isPresent()) {
      conditions.add(
          condition(DEGRADED, TRUE, podFailure.get().reason(), podFailure.get().message()));
    } else {
      conditions.add(
          condition(
              DEGRADED, FALSE, ConditionTypes.REASON_AS_EXPECTED, "no pod reports a failure"));
    }

    modelReady(previous, status).ifPresent(conditions::add);

    // MonitoringReady: after a failed apply, what was last observed still stands
    if (reconcileError != null) {
      previous(previous, MONITORING_READY).ifPresent(conditions::add);
      previous(previous, AUTOSCALING_READY).ifPresent(conditions::add);
    } else {
      if (monitoring != null) {
        conditions.add(
            condition(
                MONITORING_READY, monitoring.status(), monitoring.reason(), monitoring.message()));
      }
      if (autoscaling != null) {
        conditions.add(
            condition(
                AUTOSCALING_READY,
                autoscaling.status(),
                autoscaling.reason(),
                autoscaling.message()));
      }
    }
    status.setConditions(withTransitionTimes(conditions, previous));
    return status;
  }

  /**
   * ModelReady, only while the pods download their model: False with the fetch's own reason when a
   * pod's download failed, True once one succeeded (and status.model says what it fetched), Unknown
   * before either, its message then saying how far a running download got.
   */
  private Optional<Condition> modelReady(ModelServerStatus previous, ModelServerStatus status) {
    var model = server.getSpec() == null ? null : server.getSpec().getModel();
    if (model == null || !ModelUris.downloads(model.getId(), model.getUri())) {
      return Optional.empty();
    }
    Optional<ModelFetchReport> success = ModelFetchReport.firstSuccess(pods);
    status.setModel(
        success.map(ModelFetchReport::model).orElse(previous == null ? null : previous.getModel()));
    Optional<ModelFetchReport> failure = ModelFetchReport.firstFailure(pods);
    if (failure.isPresent()) {
      return Optional.of(
          condition(
              MODEL_READY,
              FALSE,
              failure.get().reason(),
              "pod " + failure.get().pod() + ": " + failure.get().message()));
    }
    if (success.isPresent()) {
      ModelFetchReport r = success.get();
      return Optional.of(
          condition(
              MODEL_READY,
              TRUE,
              ConditionTypes.REASON_MODEL_FETCHED,
              r.source()
                  + (r.revision() == null ? "" : " at commit " + r.revision())
                  + (r.bytes() == null ? "" : String.format(" (%.1f MB)", r.bytes() / 1e6))));
    }
    return Optional.of(
        condition(
            MODEL_READY,
            UNKNOWN,
            ConditionTypes.REASON_MODEL_FETCHING,
            fetching
                .map(f -> f.describe(describe(model)))
                .orElseGet(
                    () ->
                        "waiting for a pod's fetch-model init container to download "
                            + describe(model))));
  }

  private static String describe(ModelSpec model) {
    return model.getUri() != null ? model.getUri() : ModelUris.HUB + model.getId();
  }

  /** The previous condition {@code type}, unchanged, for when nothing new was observed. */
  private static Optional<Condition> previous(ModelServerStatus previous, String type) {
    if (previous == null || previous.getConditions() == null) {
      return Optional.empty();
    }
    return previous.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .map(c -> new ConditionBuilder(c).build());
  }

  private Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .build();
  }

  /** Keeps a condition's previous lastTransitionTime unless its status flipped. */
  private List<Condition> withTransitionTimes(List<Condition> next, ModelServerStatus previous) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
    List<Condition> old =
        previous == null || previous.getConditions() == null ? List.of() : previous.getConditions();
    for (Condition condition : next) {
      String since =
          old.stream()
              .filter(c -> condition.getType().equals(c.getType()))
              .filter(c -> condition.getStatus().equals(c.getStatus()))
              .map(Condition::getLastTransitionTime)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(now);
      condition.setLastTransitionTime(since);
    }
    return next;
  }

  private static void copyCounts(ModelServerStatus from, ModelServerStatus to) {
    if (from == null) {
      return;
    }
    to.setReplicas(from.getReplicas());
    to.setReadyReplicas(from.getReadyReplicas());
    to.setDesiredReplicas(from.getDesiredReplicas());
    to.setReady(from.getReady());
    to.setUrl(from.getUrl());
    to.setModel(from.getModel());
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }

  private static long zeroIfNull(Long value) {
    return value == null ? 0 : value;
  }
}
