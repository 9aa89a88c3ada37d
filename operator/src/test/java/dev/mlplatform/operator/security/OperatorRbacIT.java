package dev.mlplatform.operator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.Golden;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelCacheSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.reconciler.ModelServerEvents;
import dev.mlplatform.operator.testing.ApiCalls;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.OperatorAccount;
import dev.mlplatform.operator.testing.OperatorAccount.Permission;
import dev.mlplatform.operator.testing.RealCluster;
import dev.mlplatform.operator.testing.RecordingOperator;
import dev.mlplatform.operator.testing.ServiceMonitorCrd;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RBAC that {@code k8s/base} ships is sufficient and minimal, on a real API server.
 *
 * <p>Sufficient: the operator, started as production starts it (its own JVM, leader election on,
 * all namespaces watched) with nothing but a token of its ServiceAccount, bound to the ClusterRole
 * and the leader-election Role exactly as kustomize renders them, reconciles the full example with
 * every child (a minimal ServiceMonitor CRD stands in for the Prometheus Operator's), writes status
 * and Events, reverts hand edits (the ConfigMap twice, so the second Event is counted on the first;
 * a renumbered Service port), deletes the optional children when they are switched off and keeps
 * renewing its Lease, without one request refused; and every verb the roles grant was used on the
 * way (the Lease's update only by JOSDK's start-up check).
 *
 * <p>Minimal: for each verb on each resource the two roles grant, one test leaves out just that
 * verb and shows that the operator then fails visibly: it cannot start or exits, a child, the
 * status or an Event is missing, a hand edit is not reverted or the Lease not renewed; and that the
 * API server refused exactly that verb on that resource (403), or JOSDK refused to start leader
 * election without it.
 */
class OperatorRbacIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.apiServerOnly();

  private static final String NAME = "minilm-search";
  private static final String MONITORING_API = ServiceMonitorCrd.API;

  /** How long a step may take on a loaded machine. */
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(45);

  /** How long a step may still take after the API server refused one of the operator's calls. */
  private static final Duration AFTER_REFUSAL = Duration.ofSeconds(2);

  private static boolean serviceMonitorCrdInstalled;

  /**
   * Calls the bootstrap ClusterRoles allow every authenticated user (system:basic-user: a
   * SelfSubjectRulesReview, which JOSDK sends before leader election; system:discovery: API
   * discovery, which ServiceMonitorApi asks), so the operator's roles need not grant them.
   */
  private static final Set<ApiCalls.Call> GRANTED_TO_EVERY_USER =
      Set.of(
          new ApiCalls.Call("create", "authorization.k8s.io/selfsubjectrulesreviews"),
          new ApiCalls.Call("get", "/apis/" + MONITORING_API));

  /**
   * Granted although never sent: JOSDK's start-up check (a SelfSubjectRulesReview) insists on
   * update for the Lease, while fabric8 renews it with patch.
   */
  private static final Set<ApiCalls.Call> CHECKED_NOT_CALLED =
      Set.of(new ApiCalls.Call("update", "coordination.k8s.io/leases"));

  private static KubernetesClient admin() {
    return cluster.client();
  }

  @BeforeAll
  static void installServiceMonitorCrd() {
    ServiceMonitorCrd.install(admin());
    serviceMonitorCrdInstalled = true;
  }

  /** The other real-cluster tests expect no ServiceMonitor API. */
  @AfterAll
  static void removeServiceMonitorCrd() {
    if (!serviceMonitorCrdInstalled) {
      return; // skipped, or the control plane did not start
    }
    ServiceMonitorCrd.remove(admin());
  }

  /**
   * Granted verbs this tier cannot exercise: the operator reads a fetch-model container's log only
   * while it runs, which needs a kubelet (ModelReadyTest covers the reading, and the operator only
   * loses the progress figures without the verb).
   */
  private static final Set<ApiCalls.Call> NEEDS_A_KUBELET =
      Set.of(new ApiCalls.Call("get", "pods/log"));

  static List<Permission> permissions() {
    return OperatorAccount.permissions().stream()
        .filter(p -> !NEEDS_A_KUBELET.contains(p.call()))
        .toList();
  }

  @Test
  void with_only_its_service_account_the_operator_reconciles_the_full_example() {
    Outcome outcome = runScenario(null);

    assertThat(outcome.failure()).as(outcome.toString()).isNull();
    assertThat(outcome.calls().refused()).as("requests the API server refused").isEmpty();
    Set<ApiCalls.Call> authorized = outcome.calls().authorized();
    Set<ApiCalls.Call> granted =
        permissions().stream().map(Permission::call).collect(Collectors.toSet());
    assertThat(authorized)
        .as("calls made that the roles do not grant: every authenticated user may make them")
        .filteredOn(call -> !granted.contains(call))
        .containsExactlyInAnyOrderElementsOf(GRANTED_TO_EVERY_USER);
    assertThat(permissions())
        .as("every verb the roles grant is used (calls made: %s)", authorized)
        .filteredOn(p -> !CHECKED_NOT_CALLED.contains(p.call()))
        .allSatisfy(p -> assertThat(authorized).as(p.toString()).contains(p.call()));
  }

  @Test
  void the_service_account_token_carries_no_admin_rights() {
    try (OperatorAccount account = OperatorAccount.install(admin(), cluster.namespace(), null);
        KubernetesClient client = account.client(null)) {
      assertThat(client.getConfiguration().getClientCertData()).isNull();
      assertThat(client.getConfiguration().getClientCertFile()).isNull();
      // allowed: the ClusterRole lists ModelServers
      assertThat(client.resources(ModelServer.class).inAnyNamespace().list().getItems())
          .isNotNull();
      assertThatThrownBy(() -> client.secrets().inAnyNamespace().list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
          .hasMessageContaining(
              "system:serviceaccount:"
                  + cluster.namespace()
                  + ":"
                  + OperatorAccount.SERVICE_ACCOUNT);
    }
  }

  @ParameterizedTest(name = "without {0}")
  @MethodSource("permissions")
  void the_operator_fails_visibly_without_each_granted_verb(Permission left) {
    Outcome outcome = runScenario(left);

    assertThat(outcome.failure())
        .as("the operator did everything without %s: the rule is not needed", left)
        .isNotNull();
    // The API server's refusal of exactly this verb: a 403 for the request, or its message (a
    // server-side apply is sent as a patch and refused as a create when the object is new).
    List<ApiCalls.Refused> refused = outcome.calls().refused();
    boolean refusedByApiServer =
        refused.stream().anyMatch(r -> r.call().equals(left.call()))
            || outcome
                .failure()
                .contains(
                    "cannot "
                        + left.verb()
                        + " resource \""
                        + left.resource()
                        + "\" in API group \""
                        + left.group()
                        + "\"");
    // JOSDK checks the Lease's verbs with a SelfSubjectRulesReview before it starts
    boolean refusedByLeaderElection =
        left.role().equals(OperatorAccount.ROLE)
            && outcome.failure().contains("missing required verbs: [" + left.verb() + "]");
    assertThat(refusedByApiServer || refusedByLeaderElection)
        .as("refused because of %s (refused calls %s; %s)", left, refused, outcome.failure())
        .isTrue();
  }

  /** Where the scenario stopped: null when every step ended well. */
  record Outcome(String failure, List<String> steps, ApiCalls.Report calls) {
    @Override
    public String toString() {
      return "steps done " + steps + (failure == null ? "" : "; failed: " + failure);
    }
  }

  private static final class StepFailed extends RuntimeException {
    StepFailed(String message) {
      super(message);
    }
  }

  /**
   * Runs the operator, in a process of its own with the ServiceAccount's token as its only
   * credential and the shipped RBAC less {@code left}, through the whole scenario.
   */
  private Outcome runScenario(Permission left) {
    String operatorNamespace = cluster.namespace();
    String ns = operatorNamespace + "-ms";
    admin()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    List<String> done = new ArrayList<>();
    Path dir = Path.of("target", "operator-rbac-it", operatorNamespace);
    try (OperatorAccount account = OperatorAccount.install(admin(), operatorNamespace, left);
        RecordingOperator operator =
            RecordingOperator.start(
                "operator",
                account.kubeconfig(Files.createDirectories(dir).resolve("kubeconfig")),
                Map.of(
                    "LEADER_ELECTION",
                    "true",
                    "LEADER_ELECTION_NAMESPACE",
                    operatorNamespace,
                    "DEFAULT_SERVER_IMAGE",
                    TestModelServers.DEFAULT_IMAGE,
                    "RECONCILE_THREADS",
                    "4",
                    // the reconciler's RBAC only: the external-metrics API has roles of its own
                    // (k8s/base/external-metrics.yaml), which this account does not get
                    "EXTERNAL_METRICS_PORT",
                    "0"),
                dir,
                // C1 only: a few seconds of work per test, most of a JVM's CPU would go to C2
                List.of("-XX:TieredStopAtLevel=1"))) {
      Scenario scenario = new Scenario(ns, operator);
      String failure = null;
      try {
        scenario.reconcileTheFullExample();
        done.add("full example reconciled");
        scenario.revertConfigMapEditTwice();
        done.add("ConfigMap edits reverted, Event counted");
        scenario.restoreRenumberedServicePort();
        done.add("Service port restored");
        scenario.deleteOptionalChildren();
        done.add("optional children deleted");
        scenario.renewTheLease(operatorNamespace);
        done.add("Lease renewed");
      } catch (StepFailed e) {
        failure = e.getMessage();
      }
      return new Outcome(failure, done, operator.calls());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      admin().resources(ModelServer.class).inNamespace(ns).delete();
      admin().namespaces().withName(ns).delete();
    }
  }

  /** The steps, each awaiting its result and failing soon after the API server refused a call. */
  private static final class Scenario {
    private final String ns;
    private final RecordingOperator operator;

    Scenario(String ns, RecordingOperator operator) {
      this.ns = ns;
      this.operator = operator;
    }

    void reconcileTheFullExample() {
      try {
        Secret secret =
            Serialization.unmarshal(
                Files.readString(
                    Golden.repoRoot().resolve("examples/secret-minilm-search-api-key.yaml")),
                Secret.class);
        secret.getMetadata().setNamespace(ns);
        admin().resource(secret).create();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      ModelServer full = Children.example("modelserver-full.yaml", ns);
      // a model cache claim too, so its verbs are used (the example's bundled model needs none)
      full.getSpec().getModel().setCache(new ModelCacheSpec());
      admin().resource(full).create();
      await(
          "all seven children, the status and a Created Event",
          () ->
              missingChildren().isEmpty()
                  && observed(1)
                  && condition("MonitoringReady")
                      .map(c -> c.getStatus().equals("True"))
                      .orElse(false)
                  && condition("Degraded").map(c -> c.getStatus().equals("False")).orElse(false)
                  && condition("Ready").isPresent()
                  && operatorEvents().stream().anyMatch(e -> e.getReason().equals("Created")));
    }

    void revertConfigMapEditTwice() {
      for (int edit = 1; edit <= 2; edit++) {
        admin()
            .configMaps()
            .inNamespace(ns)
            .withName(NAME + "-config")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"LOG_FORMAT\":\"text\"}}");
        int count = edit;
        await(
            "the ConfigMap edit reverted and the Updated Event counted " + count + " time(s)",
            () ->
                "json".equals(configMapData().get("LOG_FORMAT"))
                    && operatorEvents().stream()
                        .anyMatch(
                            e ->
                                e.getReason().equals("Updated")
                                    && e.getMessage().contains("ConfigMap " + NAME + "-config")
                                    && Objects.equals(e.getCount(), count)));
      }
    }

    void restoreRenumberedServicePort() {
      admin()
          .services()
          .inNamespace(ns)
          .withName(NAME)
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/port\",\"value\":8081}]");
      await(
          "the Service's ports restored to http 80 and metrics 9090",
          () ->
              admin().services().inNamespace(ns).withName(NAME).get().getSpec().getPorts().stream()
                  .map(p -> p.getName() + ":" + p.getPort())
                  .toList()
                  .equals(List.of("http:80", "metrics:9090")));
    }

    void deleteOptionalChildren() {
      admin()
          .resources(ModelServer.class)
          .inNamespace(ns)
          .withName(NAME)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"networkPolicy\":{\"enabled\":false},\"monitoring\":{\"enabled\":false},"
                  + "\"model\":{\"cache\":null}}}");
      await(
          "the NetworkPolicy, ServiceMonitor and model cache claim deleted, the status at"
              + " generation 2",
          () ->
              admin().network().networkPolicies().inNamespace(ns).withName(NAME).get() == null
                  && serviceMonitor() == null
                  && claimDeleted()
                  && observed(2));
    }

    /**
     * The leader renews its Lease every retry period (2 s). One that cannot gives up after the
     * renew deadline (10 s) and OperatorRuntime exits, so the step waits past that deadline and
     * does not stop at the first refused renewal.
     */
    void renewTheLease(String namespace) {
      Duration renewDeadline = LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE;
      await(
          "the Lease held by the operator and renewed past the renew deadline ("
              + renewDeadline.toSeconds()
              + " s)",
          () -> {
            var lease =
                admin().leases().inNamespace(namespace).withName("mlplatform-operator").get();
            return lease != null
                && "operator".equals(lease.getSpec().getHolderIdentity())
                && lease
                    .getSpec()
                    .getRenewTime()
                    .isAfter(lease.getSpec().getAcquireTime().plus(renewDeadline.plusSeconds(1)));
          },
          false);
    }

    /** Polls {@code goal}; fails after the timeout, or soon after the API server refused a call. */
    private void await(String goal, BooleanSupplier reached) {
      await(goal, reached, true);
    }

    /**
     * Polls {@code goal}; fails after the timeout, when the operator exits, or (if {@code
     * failOnRefusal}) soon after the API server refused a call.
     */
    private void await(String goal, BooleanSupplier reached, boolean failOnRefusal) {
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      long refusedDeadline = Long.MAX_VALUE;
      while (true) {
        try {
          if (reached.getAsBoolean()) {
            return;
          }
        } catch (KubernetesClientException e) {
          // not there yet
        }
        long now = System.nanoTime();
        if (!operator.alive()) {
          throw new StepFailed(
              goal
                  + ": the operator exited with "
                  + operator.process().exitValue()
                  + "; "
                  + state());
        }
        if (failOnRefusal
            && refusedDeadline == Long.MAX_VALUE
            && !operator.refusedOnly().refused().isEmpty()) {
          refusedDeadline = now + AFTER_REFUSAL.toNanos();
        }
        if (now > deadline || now > refusedDeadline) {
          throw new StepFailed(goal + ": not reached; " + state());
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }

    /** What a user would see: missing children, conditions, Events, the operator's warnings. */
    private String state() {
      ModelServer server = modelServer();
      String conditions =
          server == null || server.getStatus() == null || server.getStatus().getConditions() == null
              ? "no status"
              : server.getStatus().getConditions().stream()
                  .map(
                      c ->
                          c.getType()
                              + "="
                              + c.getStatus()
                              + " "
                              + c.getReason()
                              + ": "
                              + c.getMessage())
                  .collect(Collectors.joining("; "));
      return "missing children "
          + missingChildren()
          + "; conditions ["
          + conditions
          + "]; Events "
          + operatorEvents().stream().map(e -> e.getReason() + " x" + e.getCount()).toList()
          + "; refused "
          + operator.refusedOnly().refused()
          + "; the operator's last warnings "
          + operator.logTail(400).stream()
              .filter(
                  l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("Caused by: "))
              .map(l -> l.length() > 600 ? l.substring(0, 600) + "…" : l)
              .distinct()
              .limit(8)
              .toList();
    }

    private ModelServer modelServer() {
      return admin().resources(ModelServer.class).inNamespace(ns).withName(NAME).get();
    }

    private boolean observed(long generation) {
      ModelServer server = modelServer();
      return server != null
          && server.getMetadata().getGeneration() == generation
          && server.getStatus() != null
          && Objects.equals(server.getStatus().getObservedGeneration(), generation);
    }

    private Optional<Condition> condition(String type) {
      return Optional.ofNullable(modelServer())
          .map(ModelServer::getStatus)
          .flatMap(
              s ->
                  Optional.ofNullable(s.getConditions()).orElse(List.of()).stream()
                      .filter(c -> c.getType().equals(type))
                      .findFirst());
    }

    private Map<String, String> configMapData() {
      return Optional.ofNullable(
              admin().configMaps().inNamespace(ns).withName(NAME + "-config").get())
          .map(c -> c.getData())
          .orElse(Map.of());
    }

    private GenericKubernetesResource serviceMonitor() {
      return admin()
          .genericKubernetesResources(MONITORING_API, "ServiceMonitor")
          .inNamespace(ns)
          .withName(NAME)
          .get();
    }

    /** Deleted: gone, or held by pvc-protection while the old pods still mount it. */
    private boolean claimDeleted() {
      PersistentVolumeClaim claim =
          admin().persistentVolumeClaims().inNamespace(ns).withName(NAME + "-model-cache").get();
      return claim == null || claim.getMetadata().getDeletionTimestamp() != null;
    }

    private Set<String> missingChildren() {
      Set<String> present =
          Stream.concat(
                  Children.all(admin(), ns, NAME).stream(), Stream.ofNullable(serviceMonitor()))
              .map(HasMetadata::getKind)
              .collect(Collectors.toSet());
      Set<String> missing =
          new TreeSet<>(
              Set.of(
                  "ConfigMap",
                  "Deployment",
                  "Service",
                  "HorizontalPodAutoscaler",
                  "PodDisruptionBudget",
                  "NetworkPolicy",
                  "ServiceMonitor",
                  "PersistentVolumeClaim"));
      if (admin().persistentVolumeClaims().inNamespace(ns).withName(NAME + "-model-cache").get()
          != null) {
        missing.remove("PersistentVolumeClaim");
      }
      missing.removeAll(present);
      return missing;
    }

    private List<Event> operatorEvents() {
      return admin().v1().events().inNamespace(ns).list().getItems().stream()
          .filter(e -> ModelServerEvents.COMPONENT.equals(e.getReportingComponent()))
          .filter(e -> NAME.equals(e.getInvolvedObject().getName()))
          .toList();
    }
  }
}
