package dev.mlplatform.operator.reconciler;

import dev.mlplatform.contract.FetchProgress;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerStatus;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.externalmetrics.ApiServiceRegistration;
import dev.mlplatform.operator.externalmetrics.ExternalMetric;
import dev.mlplatform.operator.resources.ChildLabels;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceDesiredState;
import dev.mlplatform.operator.status.ConditionTypes;
import dev.mlplatform.operator.status.FetchInProgress;
import dev.mlplatform.operator.status.ModelServerStatusAggregator;
import dev.mlplatform.operator.status.StatusChange;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a ModelServer: validates the spec, applies the five children and the optional model
 * cache claim, ServiceMonitor and NetworkPolicy through the JOSDK workflow (server-side apply),
 * then writes the status the {@link ModelServerStatusAggregator} builds, skipping the write when
 * nothing changed. An invalid spec touches no child.
 *
 * <p>The ServiceMonitor exists only where the cluster serves its API ({@link ServiceMonitorApi}).
 * Where it does not, the ModelServer still becomes Ready, its MonitoringReady condition and one
 * Warning Event say why, and it is reconciled again after the API check interval, so that a
 * Prometheus Operator installed later gets its ServiceMonitors without waiting for the next
 * periodic reconciliation.
 *
 * <p>A ModelServer scaling on queue or concurrency gets an External metric in its HPA only while
 * the external-metrics APIService is this operator's ({@link ApiServiceRegistration}); otherwise
 * its HPA scales on CPU and its AutoscalingReady condition says why.
 */
@ControllerConfiguration(
    name = ModelServerReconciler.NAME,
    fieldManager = ModelServerReconciler.NAME)
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "configmap", type = ConfigMapDependent.class),
      @Dependent(
          name = "modelcache",
          type = PersistentVolumeClaimDependent.class,
          reconcilePrecondition = PersistentVolumeClaimDependent.Requested.class),
      @Dependent(name = "deployment", type = DeploymentDependent.class),
      @Dependent(name = "service", type = ServiceDependent.class),
      @Dependent(name = "hpa", type = HorizontalPodAutoscalerDependent.class),
      @Dependent(name = "pdb", type = PodDisruptionBudgetDependent.class),
      @Dependent(
          name = "servicemonitor",
          type = ServiceMonitorDependent.class,
          activationCondition = ServiceMonitorDependent.ApiServed.class,
          reconcilePrecondition = ServiceMonitorDependent.Enabled.class),
      @Dependent(
          name = "networkpolicy",
          type = NetworkPolicyDependent.class,
          reconcilePrecondition = NetworkPolicyDependent.Enabled.class)
    })
public class ModelServerReconciler implements Reconciler<ModelServer> {

  public static final String NAME = "mlplatform-operator";

  /** How often a running download's progress is read: every other line the fetch logs. */
  static final Duration FETCH_PROGRESS_RECHECK = FetchProgress.INTERVAL.multipliedBy(2);

  private static final Logger log = LoggerFactory.getLogger(ModelServerReconciler.class);

  private final String defaultImage;
  private final Duration reconcileInterval;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final ServiceMonitorApi serviceMonitorApi;
  private final ApiServiceRegistration externalMetrics;
  private final ModelServerEvents events;

  public ModelServerReconciler(
      OperatorConfig config,
      OperatorMetrics metrics,
      Clock clock,
      ServiceMonitorApi serviceMonitorApi,
      ApiServiceRegistration externalMetrics,
      ModelServerEvents events) {
    this.defaultImage = Objects.requireNonNull(config.defaultServerImage());
    this.reconcileInterval = config.reconcileInterval();
    this.metrics = metrics;
    this.clock = clock;
    this.serviceMonitorApi = Objects.requireNonNull(serviceMonitorApi);
    this.externalMetrics = Objects.requireNonNull(externalMetrics);
    this.events = Objects.requireNonNull(events);
  }

  @Override
  public List<EventSource<?, ModelServer>> prepareEventSources(
      EventSourceContext<ModelServer> context) {
    metrics.watchModelServers(() -> context.getPrimaryCache().list());
    // Pods are watched only to report their failures in the ModelServer's Degraded condition.
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, ModelServer.class)
            .withName("pods")
            .withLabelSelector(ModelServerDependent.MANAGED_SELECTOR)
            .withSecondaryToPrimaryMapper(
                pod ->
                    Optional.ofNullable(pod.getMetadata().getLabels())
                        .map(labels -> labels.get(ChildLabels.INSTANCE))
                        .map(name -> Set.of(new ResourceID(name, pod.getMetadata().getNamespace())))
                        .orElse(Set.of()))
            .build();
    return List.of(new InformerEventSource<>(pods, context));
  }

  @Override
  public UpdateControl<ModelServer> reconcile(ModelServer server, Context<ModelServer> context) {
    long start = System.nanoTime();
    ModelServerStatusAggregator status = new ModelServerStatusAggregator(server, clock);

    List<String> problems = SpecValidator.validate(server.getSpec());
    if (!problems.isEmpty()) {
      String message = "invalid spec: " + String.join("; ", problems);
      StatusChange change = status.invalidSpec(message).change();
      // again when the message changes: it names what to fix
      if (change.conditionChanged(ConditionTypes.DEGRADED)) {
        events.warning(server, ConditionTypes.REASON_INVALID_SPEC, message);
      }
      metrics.reconciled("invalid_spec", System.nanoTime() - start);
      return statusUpdate(server, change);
    }

    ResolvedSpec spec = ResolvedSpec.of(server, defaultImage);
    ServiceMonitorApi.Availability monitoringApi = serviceMonitorApi.availability();
    Optional<ExternalMetric> scalingMetric = ExternalMetric.of(spec.autoscaling().metric());
    Optional<ApiServiceRegistration.Availability> metricsApi =
        scalingMetric.map(m -> externalMetrics.availability());
    Queue<ChildWrite> writes = new ConcurrentLinkedQueue<>();
    context
        .managedWorkflowAndDependentResourceContext()
        .put(
            ReconcileInputs.class,
            new ReconcileInputs(
                spec,
                monitoringApi,
                metricsApi.map(ApiServiceRegistration.Availability::served).orElse(false),
                metrics,
                writes));
    // Throws when a child cannot be applied; updateErrorStatus then reports it and JOSDK retries.
    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    recordWrites(server, writes);

    Set<Pod> pods = context.getSecondaryResources(Pod.class);
    Optional<FetchInProgress> fetching =
        spec.model().downloads()
            ? FetchInProgress.of(pods, pod -> FetchLogTail.of(context.getClient(), pod))
            : Optional.empty();
    status
        .deployment(context.getSecondaryResource(Deployment.class).orElse(null))
        .hpa(context.getSecondaryResource(HorizontalPodAutoscaler.class).orElse(null))
        .pods(pods)
        .fetching(fetching)
        .url(ServiceDesiredState.url(spec));
    boolean monitoringWaitsForApi = spec.monitoring().enabled() && !monitoringApi.served();
    if (spec.monitoring().enabled()) {
      switch (monitoringApi.state()) {
        case SERVED -> status.serviceMonitorReady(spec.name(), spec.monitoring().interval());
        case NOT_SERVED -> status.serviceMonitorCrdMissing(monitoringApi.recheck());
        case UNKNOWN -> status.monitoringUnknown(monitoringApi.detail());
      }
    }
    if (scalingMetric.isPresent()) {
      status.autoscaling(
          spec.autoscaling().metric().name(),
          scalingMetric.get().metricName(),
          metricsApi.get().served(),
          metricsApi.get().detail());
    }
    StatusChange change = status.change();
    recordTransitions(server, change);
    boolean ready =
        change
            .condition(ConditionTypes.READY)
            .map(c -> ConditionTypes.TRUE.equals(c.getStatus()))
            .orElse(false);
    metrics.reconciled(ready ? "ready" : "not_ready", System.nanoTime() - start);
    UpdateControl<ModelServer> control = statusUpdate(server, change);
    // no event marks a download's progress, nor an APIService or CRD that turns up: look again
    Optional<Duration> recheck =
        Stream.of(
                Optional.of(monitoringApi.recheck()).filter(r -> monitoringWaitsForApi),
                metricsApi
                    .filter(a -> !a.served())
                    .map(ApiServiceRegistration.Availability::recheck),
                fetching.map(f -> FETCH_PROGRESS_RECHECK))
            .flatMap(Optional::stream)
            .min(Comparator.naturalOrder());
    return recheck.map(control::rescheduleAfter).orElse(control);
  }

  /**
   * A reconciliation failed: JOSDK retries it with back-off ({@link
   * dev.mlplatform.operator.config.RetryPolicy}) and gives up after the last retry. The Degraded
   * message says which of the two is happening, so the status never claims a retry that will not
   * come.
   */
  @Override
  public ErrorStatusUpdateControl<ModelServer> updateErrorStatus(
      ModelServer server, Context<ModelServer> context, Exception e) {
    if (FailureMessage.modelServerGone(e, server)) {
      // Deleted while this reconciliation ran (seen on a real API server whenever a ModelServer is
      // deleted mid-reconciliation): nothing failed, and there is no status left to write to.
      log.debug(
          "{}/{} was deleted during its reconciliation",
          server.getMetadata().getNamespace(),
          server.getMetadata().getName());
      return ErrorStatusUpdateControl.<ModelServer>noStatusUpdate().withNoRetry();
    }
    String cause = FailureMessage.of(e);
    // attemptCount is the number of retries already scheduled, so this attempt is one more.
    int attempt = context.getRetryInfo().map(r -> r.getAttemptCount() + 1).orElse(1);
    boolean gaveUp = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
    String message =
        gaveUp
            ? cause
                + "; gave up after "
                + attempt
                + (attempt == 1 ? " attempt" : " attempts")
                + ", next try on the next change to the ModelServer or its children or within "
                + OperatorConfig.format(reconcileInterval)
            : cause + "; attempt " + attempt + ", retrying with back-off";
    log.warn(
        "reconciling {}/{} failed ({}): {}",
        server.getMetadata().getNamespace(),
        server.getMetadata().getName(),
        gaveUp ? "attempt " + attempt + ", giving up" : "attempt " + attempt + ", will retry",
        cause);
    metrics.reconciled("error", 0);
    StatusChange change =
        new ModelServerStatusAggregator(server, clock)
            .reconcileError(message)
            .deployment(context.getSecondaryResource(Deployment.class).orElse(null))
            .hpa(context.getSecondaryResource(HorizontalPodAutoscaler.class).orElse(null))
            .pods(context.getSecondaryResources(Pod.class))
            .change();
    // One Warning when the failure starts and one when the retries run out.
    if (change.transition(ConditionTypes.DEGRADED).isPresent()
        || (gaveUp && change.conditionChanged(ConditionTypes.DEGRADED))) {
      events.warning(server, ConditionTypes.REASON_RECONCILE_FAILED, message);
    }
    if (!change.changed()) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(statusPatch(server, change.next()));
  }

  /**
   * Events mark transitions (status or reason), not every new restart count or replica count:
   * Degraded turning true, Ready turning true, and monitoring that cannot be set up (one Warning,
   * not one per rescheduled reconciliation).
   */
  private void recordTransitions(ModelServer server, StatusChange change) {
    for (StatusChange.Transition t : change.transitions()) {
      String reason = t.after().getReason();
      String message = t.after().getMessage();
      switch (t.type()) {
        case ConditionTypes.DEGRADED -> {
          if (t.isTrue()) {
            events.warning(server, reason, message);
          }
        }
        case ConditionTypes.READY -> {
          if (t.isTrue()) {
            events.normal(server, reason, message);
          }
        }
        case ConditionTypes.MONITORING_READY, ConditionTypes.AUTOSCALING_READY -> {
          if (!t.isTrue()) {
            events.warning(server, reason, message);
          }
        }
        default -> {}
      }
    }
  }

  /**
   * One Event per operation and reconciliation, e.g. "Created ConfigMap a-config, Deployment a".
   */
  private void recordWrites(ModelServer server, Queue<ChildWrite> writes) {
    Map<ChildWrite.Operation, List<String>> byOperation = new EnumMap<>(ChildWrite.Operation.class);
    for (ChildWrite write : writes) {
      byOperation.computeIfAbsent(write.operation(), o -> new ArrayList<>()).add(write.child());
    }
    byOperation.forEach(
        (operation, children) -> {
          Collections.sort(children);
          events.normal(
              server, operation.verb(), operation.verb() + " " + String.join(", ", children));
        });
  }

  private UpdateControl<ModelServer> statusUpdate(ModelServer server, StatusChange change) {
    if (!change.changed()) {
      metrics.statusUpdate(false);
      return UpdateControl.noUpdate();
    }
    metrics.statusUpdate(true);
    return UpdateControl.patchStatus(statusPatch(server, change.next()));
  }

  /** A fresh object holding only the status: server-side apply then owns nothing else. */
  private static ModelServer statusPatch(ModelServer server, ModelServerStatus status) {
    ModelServer patch = new ModelServer();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(server.getMetadata().getName())
            .withNamespace(server.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return patch;
  }
}
