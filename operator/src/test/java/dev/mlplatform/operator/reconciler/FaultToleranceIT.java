package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mlplatform.operator.ModelServerOperator;
import dev.mlplatform.operator.OperatorRuntime;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.AuthSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.api.v1alpha1.SecretKeyRef;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.resources.ChildLabels;
import dev.mlplatform.operator.resources.ConfigMapDesiredState;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.resources.HorizontalPodAutoscalerDesiredState;
import dev.mlplatform.operator.resources.PodDisruptionBudgetDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceDesiredState;
import dev.mlplatform.operator.testing.ApiRequest;
import dev.mlplatform.operator.testing.DeploymentController;
import dev.mlplatform.operator.testing.Fault;
import dev.mlplatform.operator.testing.LogCapture;
import dev.mlplatform.operator.testing.MockCluster;
import dev.mlplatform.operator.testing.OperatorProcess;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real operator against a mock API server that fails on purpose ({@link Fault}s injected by the
 * test's dispatcher): conflicts and server errors on writes, a whole API server outage, an operator
 * killed mid-reconciliation, a ModelServer deleted mid-reconciliation, a child edited
 * mid-reconciliation and a write that never succeeds. Each test proves convergence to the desired
 * state and checks that the faults it describes really happened. Each test has its own mock API
 * server, so journals and counters belong to that test alone.
 */
class FaultToleranceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String NAME = "embeddings";
  private static final String IMAGE = TestModelServers.DEFAULT_IMAGE;

  /** Test-sized retries: 6 retries 100, 100, 200, 400, 400, 400 ms apart. */
  private static final Map<String, String> ENV =
      Map.of(
          "LEADER_ELECTION", "false",
          "DEFAULT_SERVER_IMAGE", IMAGE,
          "RECONCILE_THREADS", "4",
          "RETRY_MAX_ATTEMPTS", "6",
          "RETRY_INITIAL_INTERVAL", "100ms",
          "RETRY_MAX_INTERVAL", "400ms");

  private MockCluster cluster;
  private KubernetesClient client;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeEach
  void startCluster() {
    cluster = MockCluster.start();
    client = cluster.client();
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    cluster.close();
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Conflicts and server errors on child and status writes

  @Test
  void conflicts_and_errors_on_child_and_status_writes_converge_nothing_duplicated_or_lost() {
    String ns = "conflicts";
    var faults = cluster.dispatcher();
    // The ConfigMap is created but the client is told it failed: the retry must not trip over it.
    Fault configMap =
        faults.inject(Fault.childWrites(ns, "configmaps").first(1).afterApplying().answer(500));
    Fault deployment = faults.inject(Fault.childWrites(ns, "deployments").first(2).answer(409));
    Fault service = faults.inject(Fault.childWrites(ns, "services").every(2).answer(500));
    Fault hpa =
        faults.inject(Fault.childWrites(ns, "horizontalpodautoscalers").first(1).answer(503));
    Fault status = faults.inject(Fault.statusWrites(ns).first(2).answer(500));
    startOperator(ENV);

    create(NAME, ns);

    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get(NAME, ns);
              assertThat(server.getStatus().getObservedGeneration()).isEqualTo(1L);
              assertThat(condition(server, "Degraded"))
                  .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("AsExpected"));
              assertChildrenAsDesired(server);
            });
    assertThat(List.of(configMap, deployment, service, hpa, status))
        .as("every fault was injected")
        .allSatisfy(f -> assertThat(f.hits()).as(f.toString()).isPositive());
    assertThat(configMap.hits()).isEqualTo(1);
    assertThat(deployment.hits()).isEqualTo(2);
    assertThat(status.hits()).isEqualTo(2);
    assertNoDuplicates(ns);

    // Status writes fail again (a conflict, then a server error) while the world changes: the
    // controllers report ready replicas and the user edits the spec. None of it may be lost.
    Fault statusConflict = faults.inject(Fault.statusWrites(ns).first(1).answer(409));
    Fault statusError = faults.inject(Fault.statusWrites(ns).first(1).answer(500));
    playControllers(ns, 2, 3);
    edit(ns, s -> s.getSpec().setReplicas(new ReplicasSpec(2, 7)));

    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get(NAME, ns);
              assertThat(server.getMetadata().getGeneration()).isEqualTo(2L);
              assertThat(server.getStatus().getObservedGeneration()).isEqualTo(2L);
              assertThat(server.getStatus().getConditions())
                  .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(2L));
              assertThat(condition(server, "Ready"))
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
              assertThat(condition(server, "Degraded"))
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
              assertThat(server.getStatus().getReadyReplicas()).isEqualTo(2);
              assertThat(server.getStatus().getDesiredReplicas()).isEqualTo(3);
              assertChildrenAsDesired(server);
            });
    assertThat(statusConflict.hits()).isEqualTo(1);
    assertThat(statusError.hits()).isEqualTo(1);
    assertNoDuplicates(ns);
    assertQuiet(ns);
  }

  // ---------------------------------------------------------------------------------------------
  // 2. The API server goes away and comes back on the same port

  @Test
  void api_server_outage_turns_readiness_off_keeps_liveness_on_and_reconciles_after_recovery()
      throws Exception {
    String ns = "outage";
    OperatorConfig config = OperatorConfig.fromEnv(with(ENV, "MANAGEMENT_PORT", "1"));
    config = config.withManagementPort(0);
    KubernetesClient operatorClient = cluster.newOperatorClientReconnectingFast();
    cleanup.add(operatorClient);
    OperatorRuntime runtime = new OperatorRuntime(operatorClient, config, Clock.systemUTC());
    cleanup.add(runtime);
    runtime.start();
    int port = runtime.managementPort();
    awaiting().until(() -> http(port, "/readyz").statusCode() == 200);
    create(NAME, ns);
    awaiting().untilAsserted(() -> assertChildrenAsDesired(get(NAME, ns)));

    cluster.stopServer();

    awaiting()
        .untilAsserted(
            () -> {
              HttpResponse<String> ready = http(port, "/readyz");
              assertThat(ready.statusCode()).isEqualTo(503);
              assertThat(ready.body()).contains("unhealthy event sources");
            });
    // An unreachable API server is not a reason for the kubelet to restart the operator.
    Awaitility.await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              assertThat(http(port, "/healthz").statusCode()).isEqualTo(200);
              assertThat(http(port, "/readyz").statusCode()).isEqualTo(503);
            });

    cluster.restartServer();

    awaiting().until(() -> http(port, "/readyz").statusCode() == 200);
    // The ModelServer informer watches again: a spec change is reconciled.
    edit(ns, s -> s.getSpec().setReplicas(new ReplicasSpec(1, 9)));
    // The children's informers watch again: a deleted child is recreated.
    String serviceUid = service(ns).getMetadata().getUid();
    client.services().inNamespace(ns).withName(NAME).delete();
    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get(NAME, ns);
              assertThat(server.getStatus().getObservedGeneration()).isEqualTo(2L);
              assertThat(hpa(ns).getSpec().getMaxReplicas()).isEqualTo(9);
              assertThat(service(ns).getMetadata().getUid()).isNotEqualTo(serviceUid);
              assertChildrenAsDesired(server);
            });
    assertThat(http(port, "/healthz").statusCode()).isEqualTo(200);
    assertNoDuplicates(ns);
  }

  // ---------------------------------------------------------------------------------------------
  // 3. The operator is killed mid-reconciliation and a fresh one takes over

  @Test
  void operator_killed_mid_reconcile_is_replaced_by_a_fresh_one_that_converges() throws Exception {
    String ns = "killed";
    // Two child writes get through; every later one hangs (and is never applied).
    Fault hang =
        cluster
            .dispatcher()
            .inject(Fault.childWrites(ns).after(2).delayedBy(Duration.ofSeconds(20)).answer(503));
    create(NAME, ns);

    Path log = Files.createTempFile("operator-killed", ".log");
    Map<String, String> env = new HashMap<>(OperatorProcess.connectingTo(cluster));
    env.putAll(ENV);
    env.put("MANAGEMENT_PORT", String.valueOf(freePort()));
    env.put("WATCH_NAMESPACES", ns);
    Process first = OperatorProcess.builder(env, log).start();
    cleanup.add(first::destroyForcibly);
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> hang.hits() >= 1);
    first.destroyForcibly(); // SIGKILL, while writes hang
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    hang.heal();

    List<HasMetadata> survivors = children(NAME, ns);
    assertThat(survivors).as("only the two writes before the hang landed").hasSize(2);
    assertThat(get(NAME, ns).getStatus()).as("the killed operator wrote no status").isNull();
    // The user changes the spec while no operator runs.
    edit(ns, s -> s.getSpec().setReplicas(new ReplicasSpec(1, 6)));

    startOperator(ENV);

    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get(NAME, ns);
              assertThat(server.getStatus().getObservedGeneration()).isEqualTo(2L);
              assertThat(condition(server, "Degraded"))
                  .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("AsExpected"));
              assertThat(hpa(ns).getSpec().getMaxReplicas()).isEqualTo(6);
              assertChildrenAsDesired(server);
            });
    assertNoDuplicates(ns);
    Map<String, String> uids = uidsByKind(children(NAME, ns));
    assertThat(survivors)
        .as("children the killed operator created are adopted, not replaced")
        .allSatisfy(c -> assertThat(uids.get(c.getKind())).isEqualTo(c.getMetadata().getUid()));
    assertQuiet(ns);
  }

  // ---------------------------------------------------------------------------------------------
  // 4. The ModelServer is deleted mid-reconciliation

  @Test
  void model_server_deleted_mid_reconcile_causes_no_error_loop_and_others_still_reconcile() {
    String ns = "deleted";
    // The Deployment write is applied, but its answer takes three seconds.
    Duration hold = Duration.ofSeconds(3);
    Fault slowDeployment =
        cluster
            .dispatcher()
            .inject(Fault.childWrites(ns, "deployments").first(1).delayedBy(hold).passThrough());
    try (LogCapture logs =
        LogCapture.start(Map.of("io.javaoperatorsdk", Level.INFO, "dev.mlplatform", Level.INFO))) {
      startOperator(ENV);
      String uid = create(NAME, ns).getMetadata().getUid();
      // Mid-reconciliation: the children are written, the Deployment write not yet answered.
      awaiting().until(() -> slowDeployment.hits() == 1 && children(NAME, ns).size() == 5);

      client.resources(ModelServer.class).inNamespace(ns).withName(NAME).delete();
      long deletedAt = System.nanoTime();
      assertThat(deletedAt)
          .as("deleted while the Deployment write was still unanswered")
          .isLessThan(latestWrite(ns, "deployments") + hold.toNanos());

      assertQuiet(ns);
      assertThat(get(NAME, ns)).isNull();
      // The reconciliation in flight ends; nothing is attempted for the deleted ModelServer.
      List<ApiRequest> after =
          cluster.dispatcher().requests(r -> r.isWrite() && r.nanos() > deletedAt);
      assertThat(after).filteredOn(ApiRequest::isChildWrite).as("child writes after").isEmpty();
      assertThat(after)
          .filteredOn(r -> r.isStatusWrite())
          .as("at most the reconciliation in flight's status and error-status writes (both 404)")
          .hasSizeLessThanOrEqualTo(2);
      List<HasMetadata> leftovers = children(NAME, ns);
      assertThat(leftovers)
          .as("every child left behind is owned by the deleted ModelServer: GC removes it")
          .hasSize(5)
          .allSatisfy(
              c ->
                  assertThat(c.getMetadata().getOwnerReferences())
                      .singleElement()
                      .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(uid)));
      // The mock has no garbage collector: play it, then check that nothing is recreated.
      leftovers.forEach(c -> client.resource(c).delete());
      assertQuiet(ns);
      assertThat(children(NAME, ns)).isEmpty();

      // The operator still reconciles other ModelServers, and a new one of the same name.
      create("other", "deleted-other");
      create(NAME, ns);
      awaiting()
          .untilAsserted(
              () -> {
                assertChildrenAsDesired(get("other", "deleted-other"));
                assertChildrenAsDesired(get(NAME, ns));
              });
      assertThat(get(NAME, ns).getMetadata().getUid()).isNotEqualTo(uid);
      assertThat(logs.atLeast(Level.ERROR)).as("nothing logged as an error").isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 5. A child is edited while a reconciliation runs

  @Test
  void children_edited_during_a_reconcile_end_as_desired_and_hpa_replicas_survive() {
    String ns = "drift";
    startOperator(ENV);
    create(NAME, ns);
    awaiting().untilAsserted(() -> assertChildrenAsDesired(get(NAME, ns)));
    Duration hold = Duration.ofSeconds(3);
    Fault slowHpa =
        cluster
            .dispatcher()
            .inject(
                Fault.childWrites(ns, "horizontalpodautoscalers")
                    .first(1)
                    .delayedBy(hold)
                    .passThrough());

    var template = deployment(ns).getSpec().getTemplate();
    // A spec change starts a reconciliation that waits on the HPA write, the ConfigMap and the
    // Deployment already updated ...
    edit(
        ns,
        s -> {
          BatchingSpec batching = new BatchingSpec();
          batching.setMaxBatchSize(8);
          s.getSpec().setBatching(batching);
          s.getSpec().setReplicas(new ReplicasSpec(1, 7));
        });
    awaiting()
        .until(
            () ->
                slowHpa.hits() == 1
                    && "8".equals(configMap(ns).getData().get("MAX_BATCH_SIZE"))
                    && !deployment(ns).getSpec().getTemplate().equals(template));
    // ... while the HPA scales the Deployment and a person edits it and the ConfigMap.
    onConflictAgain(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName(NAME)
                .edit(
                    d -> {
                      d.getSpec().setReplicas(3);
                      d.getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .setImage("evil:latest");
                      return d;
                    }));
    onConflictAgain(
        () ->
            client
                .configMaps()
                .inNamespace(ns)
                .withName(NAME + "-config")
                .edit(
                    cm -> {
                      cm.getData().put("INJECTED", "added-by-hand");
                      return cm;
                    }));
    assertThat(System.nanoTime())
        .as("edited while the reconciliation still waited on its HPA write")
        .isLessThan(latestWrite(ns, "horizontalpodautoscalers") + hold.toNanos());

    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get(NAME, ns);
              assertThat(server.getStatus().getObservedGeneration()).isEqualTo(2L);
              assertChildrenAsDesired(server);
              assertThat(configMap(ns).getData())
                  .as("a key added by hand is drift too: every key becomes an environment variable")
                  .containsEntry("MAX_BATCH_SIZE", "8")
                  .doesNotContainKey("INJECTED");
              assertThat(deployment(ns).getSpec().getReplicas())
                  .as("the replicas the HPA set")
                  .isEqualTo(3);
              assertThat(hpa(ns).getSpec().getMaxReplicas()).isEqualTo(7);
            });
    assertThat(slowHpa.hits()).isEqualTo(1);
    assertNoDuplicates(ns);
    assertQuiet(ns);
  }

  // ---------------------------------------------------------------------------------------------
  // 6. A write that never succeeds

  @Test
  void permanently_failing_writes_back_off_stop_at_the_retry_limit_and_say_so_in_status() {
    String ns = "permanent";
    Fault broken = cluster.dispatcher().inject(Fault.childWrites(ns).answer(500));
    // 3 retries 300, 300 and 600 ms apart; the client itself does not retry.
    Map<String, String> env = new HashMap<>(ENV);
    env.put("RETRY_MAX_ATTEMPTS", "3");
    env.put("RETRY_INITIAL_INTERVAL", "300ms");
    env.put("RETRY_MAX_INTERVAL", "1s");
    startOperator(env, cluster.newOperatorClient(0));

    create(NAME, ns);

    awaiting()
        .untilAsserted(
            () -> {
              Condition degraded = condition(get(NAME, ns), "Degraded").orElseThrow();
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getReason()).isEqualTo("ReconcileFailed");
              assertThat(degraded.getMessage())
                  .contains("injected fault")
                  .contains("gave up after 4 attempts")
                  .contains("within 10m");
            });
    // Bounded: nothing more is attempted until something changes (or RECONCILE_INTERVAL, 10m).
    assertQuiet(ns);
    List<ApiRequest> attempts =
        cluster.dispatcher().requests(r -> r.isChildWrite() && ns.equals(r.namespace())).stream()
            .filter(r -> r.resource().equals("deployments"))
            .toList();
    assertThat(attempts).as("the first attempt and three retries").hasSize(4);
    assertThat(broken.hits()).as("every child kind, each attempt").isEqualTo(4 * 5);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < attempts.size(); i++) {
      gaps.add(
          TimeUnit.NANOSECONDS.toMillis(attempts.get(i).nanos() - attempts.get(i - 1).nanos()));
    }
    assertThat(gaps).as("waits between attempts, ms").hasSize(3);
    assertThat(gaps.get(0)).isGreaterThanOrEqualTo(290);
    assertThat(gaps.get(1)).isGreaterThanOrEqualTo(290);
    assertThat(gaps.get(2)).as("backs off").isGreaterThanOrEqualTo(590);
    assertThat(warnings(ns, "ReconcileFailed"))
        .as("one Warning when the failure starts, one when the retries run out")
        .hasSize(2);

    // Once the API server accepts writes again, the next change converges at once.
    broken.heal();
    edit(ns, s -> s.getSpec().setReplicas(new ReplicasSpec(1, 4)));
    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get(NAME, ns);
              assertThat(server.getStatus().getObservedGeneration()).isEqualTo(2L);
              assertThat(condition(server, "Degraded"))
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
              assertChildrenAsDesired(server);
            });
  }

  // ---------------------------------------------------------------------------------------------
  // 7. Secrets stay secret

  @Test
  void api_key_never_reaches_children_status_events_or_logs() {
    String ns = "secrets";
    String apiKey = "sk-live-8c1d7e3a9f0b4a62b5d1";
    String misplacedKey = "sk-live-misplaced-44f09a7c21";
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("embeddings-api-key")
                .withNamespace(ns)
                .endMetadata()
                .addToStringData("api-key", apiKey)
                .build())
        .create();
    try (LogCapture logs =
        LogCapture.start(
            Map.of(
                "io.javaoperatorsdk", Level.DEBUG,
                "dev.mlplatform", Level.DEBUG,
                "io.fabric8", Level.INFO))) {
      startOperator(ENV);
      ModelServer server = TestModelServers.minimal(NAME, ns);
      server.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(ns).build());
      AuthSpec auth = new AuthSpec();
      auth.setApiKeySecretRef(new SecretKeyRef("embeddings-api-key", "api-key"));
      server.getSpec().setAuth(auth);
      client.resource(server).create();
      // A user who puts the key into spec.config gets InvalidSpec, and the key goes nowhere.
      ModelServer misplaced = TestModelServers.minimal("misplaced", ns);
      misplaced.setMetadata(
          new ObjectMetaBuilder().withName("misplaced").withNamespace(ns).build());
      misplaced.getSpec().setConfig(Map.of("API_KEY", misplacedKey));
      client.resource(misplaced).create();

      awaiting()
          .untilAsserted(
              () -> {
                assertChildrenAsDesired(get(NAME, ns));
                assertThat(condition(get(NAME, ns), "Degraded")).isPresent();
                assertThat(condition(get("misplaced", ns), "Degraded"))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("InvalidSpec"));
              });
      EnvVar env =
          deployment(ns).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
              .filter(e -> e.getName().equals("API_KEY"))
              .findFirst()
              .orElseThrow();
      assertThat(env.getValue()).isNull();
      assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("embeddings-api-key");
      assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("api-key");
      assertThat(children("misplaced", ns)).isEmpty();

      List<String> written = new ArrayList<>();
      Stream.of(
              client.configMaps().inNamespace(ns).list().getItems(),
              client.apps().deployments().inNamespace(ns).list().getItems(),
              client.services().inNamespace(ns).list().getItems(),
              client
                  .autoscaling()
                  .v2()
                  .horizontalPodAutoscalers()
                  .inNamespace(ns)
                  .list()
                  .getItems(),
              client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems(),
              client.v1().events().inNamespace(ns).list().getItems())
          .flatMap(List::stream)
          .map(o -> client.getKubernetesSerialization().asJson(o))
          .forEach(written::add);
      client.resources(ModelServer.class).inNamespace(ns).list().getItems().stream()
          .map(m -> client.getKubernetesSerialization().asJson(m.getStatus()))
          .forEach(written::add);
      assertThat(written).hasSizeGreaterThan(7);
      assertThat(String.join("\n", written))
          .doesNotContain(apiKey)
          .doesNotContain(misplacedKey)
          .doesNotContain(base64(apiKey));
      assertThat(logs.lines()).as("something was logged at all").isNotEmpty();
      assertThat(logs.text()).doesNotContain(apiKey).doesNotContain(misplacedKey);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static Map<String, String> with(Map<String, String> env, String key, String value) {
    Map<String, String> copy = new HashMap<>(env);
    copy.put(key, value);
    return copy;
  }

  private static String base64(String value) {
    return java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static ConditionFactory awaiting() {
    return Awaitility.await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions();
  }

  private void startOperator(Map<String, String> env) {
    startOperator(env, cluster.newOperatorClient());
  }

  /** The operator as production wires it, on its own client, stopped after the test. */
  private void startOperator(Map<String, String> env, KubernetesClient operatorClient) {
    ModelServerOperator operator =
        ModelServerOperator.create(
            operatorClient,
            OperatorConfig.fromEnv(env),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    cleanup.add(operatorClient);
    cleanup.add(operator::stop);
    operator.start();
  }

  private static HttpResponse<String> http(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private ModelServer create(String name, String namespace) {
    ModelServer server = TestModelServers.minimal(name, namespace);
    server.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    return client.resource(server).create();
  }

  private ModelServer get(String name, String namespace) {
    return client.resources(ModelServer.class).inNamespace(namespace).withName(name).get();
  }

  /** The user edits the ModelServer (again, on a fresh copy, if the operator wrote meanwhile). */
  private void edit(String namespace, java.util.function.Consumer<ModelServer> change) {
    onConflictAgain(
        () ->
            client
                .resources(ModelServer.class)
                .inNamespace(namespace)
                .withName(NAME)
                .edit(
                    s -> {
                      change.accept(s);
                      return s;
                    }));
  }

  /**
   * The test's own edits race with the operator's writes and may meet a 409, as kubectl's would;
   * like a person, the test reads the object again and repeats the edit.
   */
  private static void onConflictAgain(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  private ConfigMap configMap(String ns) {
    return client.configMaps().inNamespace(ns).withName(NAME + "-config").get();
  }

  private Deployment deployment(String ns) {
    return client.apps().deployments().inNamespace(ns).withName(NAME).get();
  }

  private Service service(String ns) {
    return client.services().inNamespace(ns).withName(NAME).get();
  }

  private HorizontalPodAutoscaler hpa(String ns) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .withName(NAME)
        .get();
  }

  private List<HasMetadata> children(String name, String ns) {
    return Stream.<HasMetadata>of(
            client.configMaps().inNamespace(ns).withName(name + "-config").get(),
            client.apps().deployments().inNamespace(ns).withName(name).get(),
            client.services().inNamespace(ns).withName(name).get(),
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(ns)
                .withName(name)
                .get(),
            client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get())
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  private static Map<String, String> uidsByKind(List<HasMetadata> children) {
    Map<String, String> uids = new HashMap<>();
    children.forEach(c -> uids.put(c.getKind(), c.getMetadata().getUid()));
    return uids;
  }

  private static Optional<Condition> condition(ModelServer server, String type) {
    if (server == null
        || server.getStatus() == null
        || server.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return server.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst();
  }

  private List<Event> warnings(String ns, String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getType().equals("Warning") && e.getReason().equals(reason))
        .toList();
  }

  /** Every child exists, is owned by {@code server} and equals what the builders make of it. */
  private void assertChildrenAsDesired(ModelServer server) {
    String ns = server.getMetadata().getNamespace();
    String name = server.getMetadata().getName();
    ResolvedSpec spec = ResolvedSpec.of(server, IMAGE);
    List<HasMetadata> children = children(name, ns);
    assertThat(children).hasSize(5);
    assertThat(children)
        .allSatisfy(
            c ->
                assertThat(c.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(
                        ref -> {
                          assertThat(ref.getUid()).isEqualTo(server.getMetadata().getUid());
                          assertThat(ref.getController()).isTrue();
                        }));
    Map<String, HasMetadata> byKind = new HashMap<>();
    children.forEach(c -> byKind.put(c.getKind(), c));
    assertThat(((ConfigMap) byKind.get("ConfigMap")).getData())
        .isEqualTo(ConfigMapDesiredState.build(server, spec).getData());
    assertThat(json(((Deployment) byKind.get("Deployment")).getSpec().getTemplate()))
        .isEqualTo(json(DeploymentDesiredState.build(server, spec).getSpec().getTemplate()));
    assertThat(json(((Service) byKind.get("Service")).getSpec()))
        .isEqualTo(json(ServiceDesiredState.build(server, spec).getSpec()));
    assertThat(json(((HorizontalPodAutoscaler) byKind.get("HorizontalPodAutoscaler")).getSpec()))
        .isEqualTo(json(HorizontalPodAutoscalerDesiredState.build(server, spec).getSpec()));
    assertThat(json(((PodDisruptionBudget) byKind.get("PodDisruptionBudget")).getSpec()))
        .isEqualTo(json(PodDisruptionBudgetDesiredState.build(server, spec).getSpec()));
  }

  /** The JSON the API server stores: compares what is sent, not Java's null-versus-empty. */
  private JsonNode json(Object value) {
    return client.getKubernetesSerialization().convertValue(value, JsonNode.class);
  }

  /** Exactly one object of each child kind carries the instance label, and nothing else exists. */
  private void assertNoDuplicates(String ns) {
    Map<String, Function<String, List<? extends HasMetadata>>> kinds =
        Map.of(
            "ConfigMap", n -> client.configMaps().inNamespace(n).list().getItems(),
            "Deployment", n -> client.apps().deployments().inNamespace(n).list().getItems(),
            "Service", n -> client.services().inNamespace(n).list().getItems(),
            "HorizontalPodAutoscaler",
                n ->
                    client
                        .autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(n)
                        .list()
                        .getItems(),
            "PodDisruptionBudget",
                n -> client.policy().v1().podDisruptionBudget().inNamespace(n).list().getItems());
    kinds.forEach(
        (kind, list) ->
            assertThat(list.apply(ns))
                .as(kind + " objects in " + ns)
                .singleElement()
                .satisfies(
                    o ->
                        assertThat(o.getMetadata().getLabels())
                            .containsEntry(ChildLabels.INSTANCE, NAME)));
  }

  /**
   * Waits until nothing has been written in {@code ns} (children, status, Events) for a second and
   * a half: the operator is not stuck in a loop of writes. Fails after {@link #TIMEOUT}.
   */
  private void assertQuiet(String ns) {
    long quiet = Duration.ofMillis(1500).toNanos();
    Awaitility.await("no write in " + ns + " for 1.5 s")
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                System.nanoTime()
                        - cluster
                            .dispatcher()
                            .requests(r -> r.isWrite() && ns.equals(r.namespace()))
                            .stream()
                            .mapToLong(ApiRequest::nanos)
                            .max()
                            .orElse(0L)
                    >= quiet);
  }

  /** When the latest write of {@code resource} in {@code ns} arrived. */
  private long latestWrite(String ns, String resource) {
    return cluster
        .dispatcher()
        .requests(
            r -> r.isChildWrite() && ns.equals(r.namespace()) && resource.equals(r.resource()))
        .stream()
        .mapToLong(ApiRequest::nanos)
        .max()
        .orElseThrow();
  }

  /** Plays the Deployment and HPA controllers: ready replicas, desired replicas. */
  private void playControllers(String ns, int ready, int desired) {
    onConflictAgain(
        () ->
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(ns)
                .withName(NAME)
                .editStatus(
                    h -> {
                      h.setStatus(
                          new HorizontalPodAutoscalerStatusBuilder()
                              .withCurrentReplicas(ready)
                              .withDesiredReplicas(desired)
                              .build());
                      return h;
                    }));
    onConflictAgain(() -> DeploymentController.rolledOut(client, ns, NAME, ready));
  }
}
