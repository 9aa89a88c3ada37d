package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.testing.ApiCalls;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.OperatorAccount;
import dev.mlplatform.operator.testing.RealCluster;
import dev.mlplatform.operator.testing.RecordingOperator;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two operator replicas on a real API server, as the Deployment in k8s/base runs them: each the
 * shaded jar in a JVM of its own with its own HOSTNAME (JOSDK's leader identity), both with the
 * ServiceAccount's token only, electing a leader through the Lease in their namespace. Only the
 * leader reconciles; when it stops, the other takes the Lease over within the lease duration and
 * finds nothing to write, so no child, status or Event is written twice. Who wrote what is read
 * from each replica's own metrics (the API server records only the shared field manager).
 */
class LeaderElectionIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.apiServerOnly();

  private static final String LEASE = "mlplatform-operator";
  private static final int SERVERS = 3;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration LEASE_DURATION =
      LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE;
  private static final Duration RETRY_PERIOD =
      LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE;

  private final List<RecordingOperator> replicas = new ArrayList<>();

  @Test
  void one_replica_leads_and_the_other_takes_over_within_the_lease_without_writing_twice()
      throws Exception {
    KubernetesClient admin = cluster.client();
    String operatorNs = cluster.namespace();
    String ns = operatorNs + "-ms";
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    Path dir = Files.createDirectories(Path.of("target", "leader-election-it"));
    try (OperatorAccount account = OperatorAccount.install(admin, operatorNs, null)) {
      Path kubeconfig = account.kubeconfig(dir.resolve("kubeconfig"));

      RecordingOperator a = start("operator-a", kubeconfig, operatorNs, dir);
      waitFor("operator-a holds the Lease", () -> "operator-a".equals(holder()));
      RecordingOperator b = start("operator-b", kubeconfig, operatorNs, dir);
      waitFor(
          "operator-b runs as a follower", () -> b.metric("mlplatform_operator_leader", "") == 0);

      for (int i = 0; i < SERVERS; i++) {
        admin.resource(Children.minimal("embeddings-" + i, ns)).create();
      }
      waitFor("every ModelServer reconciled", () -> allReconciled(ns));
      settle(a);

      assertThat(a.metric("mlplatform_operator_leader", "")).isEqualTo(1);
      assertThat(a.metric("mlplatform_operator_reconciliations_total", ""))
          .as("the leader reconciles")
          .isGreaterThanOrEqualTo(SERVERS);
      assertThat(a.metric("mlplatform_operator_child_writes_total", "operation=\"created\""))
          .as("the leader created every child")
          .isEqualTo(SERVERS * 5.0);
      assertThat(b.metric("mlplatform_operator_reconciliations_total", ""))
          .as("the follower reconciles nothing")
          .isZero();
      assertThat(b.metric("mlplatform_operator_child_writes_total", "")).isZero();
      assertThat(writes(a)).as("what the leader's client wrote").isNotEmpty();
      assertThat(writes(b)).as("what the follower's client wrote").isEmpty();
      Map<String, String> writtenBefore = operatorWrites(ns);
      Map<String, Integer> eventsBefore = events(ns);
      assertThat(eventsBefore.keySet())
          .as("one Created Event per ModelServer")
          .filteredOn(key -> key.endsWith(" Created"))
          .hasSize(SERVERS);

      // SIGTERM, as the kubelet stops a pod in a rollout: the leader releases the Lease once its
      // reconcilers have stopped, so the follower takes it at its next retry, not after the lease
      // duration (15 s)
      long stopped = System.nanoTime();
      a.process().destroy(); // SIGTERM
      waitFor("operator-b holds the Lease", () -> "operator-b".equals(holder()));
      Duration handover = Duration.ofNanos(System.nanoTime() - stopped);
      assertThat(a.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(a.log()))
          .as("operator-a's log")
          .contains("released the leader Lease");
      System.out.printf(
          "leader election: graceful stop of the leader -> new holder in %d ms (lease duration"
              + " %s, retry period %s)%n",
          handover.toMillis(), LEASE_DURATION, RETRY_PERIOD);
      // without the release it takes at least the lease duration less one retry period (the last
      // renew came at most that long before the SIGTERM): 13 s; with it, the stop and a retry
      assertThat(handover)
          .as("handover well inside the lease duration")
          .isLessThan(LEASE_DURATION.minus(RETRY_PERIOD.multipliedBy(2)).minusSeconds(1));

      // the new leader reconciles every ModelServer once it leads, and finds nothing to do
      waitFor(
          "operator-b reconciled every ModelServer",
          () ->
              b.metric("mlplatform_operator_leader", "") == 1
                  && b.metric("mlplatform_operator_reconciliations_total", "") >= SERVERS);
      settle(b);
      assertThat(b.metric("mlplatform_operator_child_writes_total", ""))
          .as("children written by the new leader")
          .isZero();
      assertThat(b.metric("mlplatform_operator_status_updates_total", "result=\"written\""))
          .as("statuses written by the new leader")
          .isZero();
      assertThat(writes(b)).as("what the new leader's client wrote").isEmpty();
      assertThat(operatorWrites(ns))
          .as("the operator's fields and their times")
          .isEqualTo(writtenBefore);
      assertThat(events(ns)).as("Events and their counts").isEqualTo(eventsBefore);

      // and it does the work from now on
      admin
          .resources(ModelServer.class)
          .inNamespace(ns)
          .withName("embeddings-0")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"batching\":{\"maxBatchSize\":8}}}");
      waitFor(
          "operator-b applied the change",
          () -> allReconciled(ns) && observed(ns, "embeddings-0", 2));
      assertThat(admin.configMaps().inNamespace(ns).withName("embeddings-0-config").get().getData())
          .containsEntry("MAX_BATCH_SIZE", "8");
      assertThat(
              b.metric(
                  "mlplatform_operator_child_writes_total",
                  "kind=\"ConfigMap\",operation=\"updated\""))
          .isEqualTo(1);
      assertThat(writes(b)).containsEntry(new ApiCalls.Call("update", "configmaps"), 1L);

      // a crash (SIGKILL): the Lease is not renewed and the next replica takes it once it expires
      RecordingOperator c = start("operator-c", kubeconfig, operatorNs, dir);
      waitFor(
          "operator-c runs as a follower", () -> c.metric("mlplatform_operator_leader", "") == 0);
      long killed = System.nanoTime();
      b.kill();
      waitFor("operator-c holds the Lease", () -> "operator-c".equals(holder()));
      Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
      System.out.printf(
          "leader election: leader killed -> new holder in %d ms%n", takeover.toMillis());
      assertThat(takeover).isLessThanOrEqualTo(LEASE_DURATION.plus(RETRY_PERIOD.multipliedBy(2)));
      waitFor(
          "operator-c reconciled every ModelServer",
          () -> c.metric("mlplatform_operator_reconciliations_total", "") >= SERVERS);
      settle(c);
      assertThat(c.metric("mlplatform_operator_child_writes_total", "")).isZero();
      assertThat(writes(c)).as("what the third replica's client wrote on taking over").isEmpty();
      assertThat(c.metric("mlplatform_operator_status_updates_total", "result=\"written\""))
          .isZero();
    } finally {
      replicas.forEach(RecordingOperator::close);
      admin.resources(ModelServer.class).inNamespace(ns).delete();
      admin.namespaces().withName(ns).delete();
    }
  }

  private RecordingOperator start(String identity, Path kubeconfig, String namespace, Path dir)
      throws IOException {
    RecordingOperator replica =
        RecordingOperator.start(
            identity,
            kubeconfig,
            Map.of(
                "LEADER_ELECTION",
                "true",
                "LEADER_ELECTION_NAMESPACE",
                namespace,
                "DEFAULT_SERVER_IMAGE",
                TestModelServers.DEFAULT_IMAGE,
                "RECONCILE_THREADS",
                "4"),
            dir,
            List.of());
    replicas.add(replica);
    return replica;
  }

  private static String holder() {
    Lease lease = lease();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static Lease lease() {
    return cluster.client().leases().inNamespace(cluster.namespace()).withName(LEASE).get();
  }

  /** Every ModelServer has its five children and a status at its generation. */
  private static boolean allReconciled(String ns) {
    return IntStream.range(0, SERVERS)
        .allMatch(
            i ->
                Children.of(cluster.client(), ns, "embeddings-" + i).size() == 5
                    && observed(ns, "embeddings-" + i, 0));
  }

  /** The status has caught up with {@code generation} (0: with the current generation). */
  private static boolean observed(String ns, String name, long generation) {
    ModelServer server =
        cluster.client().resources(ModelServer.class).inNamespace(ns).withName(name).get();
    long wanted = generation == 0 ? server.getMetadata().getGeneration() : generation;
    return server.getMetadata().getGeneration() == wanted
        && server.getStatus() != null
        && server.getStatus().getObservedGeneration() != null
        && server.getStatus().getObservedGeneration() == wanted;
  }

  /**
   * Per object, what the operator's field manager owns and when it last wrote it: unchanged unless
   * the operator wrote.
   */
  private static Map<String, String> operatorWrites(String ns) {
    Map<String, String> writes = new TreeMap<>();
    for (int i = 0; i < SERVERS; i++) {
      String name = "embeddings-" + i;
      List<HasMetadata> objects = new ArrayList<>(Children.of(cluster.client(), ns, name));
      objects.add(
          cluster.client().resources(ModelServer.class).inNamespace(ns).withName(name).get());
      for (HasMetadata object : objects) {
        for (ManagedFieldsEntry entry : Children.managedBy(object, ModelServerReconciler.NAME)) {
          writes.put(
              object.getKind()
                  + "/"
                  + object.getMetadata().getName()
                  + " "
                  + entry.getSubresource(),
              entry.getTime() + " " + Children.fields(entry));
        }
      }
    }
    return writes;
  }

  /** The operator's Events by name, with their counts. */
  private static Map<String, Integer> events(String ns) {
    return cluster.client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> ModelServerEvents.COMPONENT.equals(e.getReportingComponent()))
        .collect(
            Collectors.toMap(
                e -> e.getMetadata().getName() + " " + e.getReason(),
                Event::getCount,
                (x, y) -> x,
                TreeMap::new));
  }

  /** Waits until the replica's reconciliations and its client's writes stay still for 3 s. */
  private static void settle(RecordingOperator replica) throws Exception {
    String last = "";
    long stillSince = System.nanoTime();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String now =
          replica.metric("mlplatform_operator_reconciliations_total", "") + "/" + writes(replica);
      if (!now.equals(last)) {
        last = now;
        stillSince = System.nanoTime();
      } else if (System.nanoTime() - stillSince > TimeUnit.SECONDS.toNanos(3)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(replica.name() + " kept reconciling for " + TIMEOUT);
  }

  /** What the replica's client wrote, but for the Lease. */
  private static Map<ApiCalls.Call, Long> writes(RecordingOperator replica) {
    Map<ApiCalls.Call, Long> writes = new TreeMap<>((x, y) -> x.toString().compareTo(y.toString()));
    replica
        .calls()
        .sent()
        .forEach(
            (call, n) -> {
              if (call.writes() && !call.resource().equals("coordination.k8s.io/leases")) {
                writes.put(call, n);
              }
            });
    return writes;
  }

  private static void waitFor(String what, java.util.concurrent.Callable<Boolean> condition) {
    await()
        .alias(what)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(condition);
  }
}
