package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerStatus;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.resources.ChildLabels;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceDesiredState;
import dev.mlplatform.operator.status.ConditionTypes;
import dev.mlplatform.operator.status.ModelServerStatusAggregator;
import io.fabric8.kubernetes.api.model.Condition;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a ModelServer: validates the spec, applies the five children and the optional
 * ServiceMonitor and NetworkPolicy through the JOSDK workflow (server-side apply), then writes the
 * status the {@link ModelServerStatusAggregator} builds, skipping the write when nothing changed.
 * An invalid spec touches no child.
 *
 * <p>The ServiceMonitor exists only where the cluster serves its API ({@link ServiceMonitorApi}).
 * Where it does not, the ModelServer still becomes Ready, its MonitoringReady condition and one
 * Warning Event say why, and it is reconciled again after the API check interval, so that a
 * Prometheus Operator installed later gets its ServiceMonitors without waiting for the next
 * periodic reconciliation.
 */
@ControllerConfiguration(
    name = ModelServerReconciler.NAME,
    fieldManager = ModelServerReconciler.NAME)
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "configmap", type = ConfigMapDependent.class),
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

  private static final Logger log = LoggerFactory.getLogger(ModelServerReconciler.class);

  private final String defaultImage;
  private final Duration reconcileInterval;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final ServiceMonitorApi serviceMonitorApi;
  private volatile ModelServerEvents events;

  public ModelServerReconciler(
      OperatorConfig config,
      OperatorMetrics metrics,
      Clock clock,
      ServiceMonitorApi serviceMonitorApi) {
    this.defaultImage = Objects.requireNonNull(config.defaultServerImage());
    this.reconcileInterval = config.reconcileInterval();
    this.metrics = metrics;
    this.clock = clock;
    this.serviceMonitorApi = Objects.requireNonNull(serviceMonitorApi);
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
    ModelServerEvents events = events(context);
    ModelServerStatusAggregator status = new ModelServerStatusAggregator(server, clock);

    List<String> problems = SpecValidator.validate(server.getSpec());
    if (!problems.isEmpty()) {
      String message = "invalid spec: " + String.join("; ", problems);
      ModelServerStatus next = status.invalidSpec(message).build();
      if (!sameCondition(server.getStatus(), next, ConditionTypes.DEGRADED)) {
        events.warning(server, ConditionTypes.REASON_INVALID_SPEC, message);
      }
      metrics.reconciled("invalid_spec", System.nanoTime() - start);
      return statusUpdate(server, next);
    }

    ResolvedSpec spec = ResolvedSpec.of(server, defaultImage);
    ServiceMonitorApi.Availability monitoringApi = serviceMonitorApi.availability();
    Queue<String> writes = new ConcurrentLinkedQueue<>();
    context
        .managedWorkflowAndDependentResourceContext()
        .put(ReconcileInputs.class, new ReconcileInputs(spec, monitoringApi, metrics, writes));
    // Throws when a child cannot be applied; updateErrorStatus then reports it and JOSDK retries.
    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    recordWrites(server, events, writes);

    status
        .deployment(context.getSecondaryResource(Deployment.class).orElse(null))
        .hpa(context.getSecondaryResource(HorizontalPodAutoscaler.class).orElse(null))
        .pods(context.getSecondaryResources(Pod.class))
        .url(ServiceDesiredState.url(spec));
    boolean monitoringWaitsForApi = spec.monitoring().enabled() && !monitoringApi.served();
    if (spec.monitoring().enabled()) {
      switch (monitoringApi.state()) {
        case SERVED -> status.serviceMonitorReady(spec.name(), spec.monitoring().interval());
        case NOT_SERVED -> status.serviceMonitorCrdMissing(monitoringApi.recheck());
        case UNKNOWN -> status.monitoringUnknown(monitoringApi.detail());
      }
    }
    ModelServerStatus next = status.build();
    // Events mark transitions (status or reason), not every new restart count or replica count.
    if (!sameTransition(server.getStatus(), next, ConditionTypes.DEGRADED)) {
      condition(next, ConditionTypes.DEGRADED)
          .filter(c -> ConditionTypes.TRUE.equals(c.getStatus()))
          .ifPresent(c -> events.warning(server, c.getReason(), c.getMessage()));
    }
    if (!sameTransition(server.getStatus(), next, ConditionTypes.READY)) {
      condition(next, ConditionTypes.READY)
          .filter(c -> ConditionTypes.TRUE.equals(c.getStatus()))
          .ifPresent(c -> events.normal(server, c.getReason(), c.getMessage()));
    }
    // one Warning when monitoring cannot be set up, not one per (rescheduled) reconciliation
    if (!sameTransition(server.getStatus(), next, ConditionTypes.MONITORING_READY)) {
      condition(next, ConditionTypes.MONITORING_READY)
          .filter(c -> !ConditionTypes.TRUE.equals(c.getStatus()))
          .ifPresent(c -> events.warning(server, c.getReason(), c.getMessage()));
    }
    boolean ready =
        condition(next, ConditionTypes.READY)
            .map(c -> ConditionTypes.TRUE.equals(c.getStatus()))
            .orElse(false);
    metrics.reconciled(ready ? "ready" : "not_ready", System.nanoTime() - start);
    UpdateControl<ModelServer> control = statusUpdate(server, next);
    return monitoringWaitsForApi ? control.rescheduleAfter(monitoringApi.recheck()) : control;
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
    ModelServerStatus next =
        new ModelServerStatusAggregator(server, clock)
            .reconcileError(message)
            .deployment(context.getSecondaryResource(Deployment.class).orElse(null))
            .hpa(context.getSecondaryResource(HorizontalPodAutoscaler.class).orElse(null))
            .pods(context.getSecondaryResources(Pod.class))
            .build();
    // One Warning when the failure starts and one when the retries run out.
    if (!sameTransition(server.getStatus(), next, ConditionTypes.DEGRADED)
        || (gaveUp && !sameCondition(server.getStatus(), next, ConditionTypes.DEGRADED))) {
      events(context).warning(server, ConditionTypes.REASON_RECONCILE_FAILED, message);
    }
    if (next.equals(server.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(statusPatch(server, next));
  }

  private ModelServerEvents events(Context<ModelServer> context) {
    ModelServerEvents current = events;
    if (current == null) {
      synchronized (this) {
        if (events == null) {
          events = new ModelServerEvents(context.getClient(), clock);
        }
        current = events;
      }
    }
    return current;
  }

  /** One Event per verb and reconciliation, e.g. "Created ConfigMap a-config, Deployment a". */
  private static void recordWrites(
      ModelServer server, ModelServerEvents events, Queue<String> writes) {
    Map<String, List<String>> byVerb = new TreeMap<>();
    for (String write : writes) {
      int space = write.indexOf(' ');
      byVerb
          .computeIfAbsent(write.substring(0, space), v -> new ArrayList<>())
          .add(write.substring(space + 1));
    }
    byVerb.forEach(
        (verb, children) -> {
          Collections.sort(children);
          events.normal(server, verb, verb + " " + String.join(", ", children));
        });
  }

  private UpdateControl<ModelServer> statusUpdate(ModelServer server, ModelServerStatus next) {
    if (next.equals(server.getStatus())) {
      metrics.statusUpdate(false);
      return UpdateControl.noUpdate();
    }
    metrics.statusUpdate(true);
    return UpdateControl.patchStatus(statusPatch(server, next));
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

  private static boolean sameCondition(
      ModelServerStatus previous, ModelServerStatus next, String type) {
    Optional<Condition> before = condition(previous, type);
    Optional<Condition> after = condition(next, type);
    return before.map(Condition::getStatus).equals(after.map(Condition::getStatus))
        && before.map(Condition::getReason).equals(after.map(Condition::getReason))
        && before.map(Condition::getMessage).equals(after.map(Condition::getMessage));
  }

  private static boolean sameTransition(
      ModelServerStatus previous, ModelServerStatus next, String type) {
    Optional<Condition> before = condition(previous, type);
    Optional<Condition> after = condition(next, type);
    return before.map(Condition::getStatus).equals(after.map(Condition::getStatus))
        && before.map(Condition::getReason).equals(after.map(Condition::getReason));
  }

  private static Optional<Condition> condition(ModelServerStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
