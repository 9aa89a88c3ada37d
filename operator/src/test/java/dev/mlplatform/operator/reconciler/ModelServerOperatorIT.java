package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.ModelServerOperator;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.testing.DeploymentController;
import dev.mlplatform.operator.testing.Fault;
import dev.mlplatform.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The real operator, configured as in production (server-side apply for children and status),
 * against fabric8's CRUD mock API server with an apply handler. The mock runs no controllers, so
 * the tests play the Deployment, HPA and kubelet by filling in their status. Each test uses its own
 * namespace, so the tests do not depend on each other's order.
 */
class ModelServerOperatorIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static MockCluster cluster;
  private static KubernetesClient client;
  private static Operator operator;
  private static SimpleMeterRegistry registry;

  @BeforeAll
  static void startOperator() {
    // A condition not written yet (Optional.orElseThrow) means "not yet", not a failure; the last
    // exception is reported if the wait times out.
    Awaitility.ignoreExceptionsByDefault();
    cluster = MockCluster.start();
    client = cluster.client();
    registry = new SimpleMeterRegistry();
    OperatorConfig config =
        OperatorConfig.fromEnv(
            Map.of(
                "LEADER_ELECTION", "false",
                "DEFAULT_SERVER_IMAGE", TestModelServers.DEFAULT_IMAGE,
                "RECONCILE_THREADS", "4"));
    operator =
        ModelServerOperator.create(
            cluster.newOperatorClient(), config, registry, Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String namespace(TestInfo test) {
    String method = test.getTestMethod().orElseThrow().getName();
    String ns = method.replace('_', '-').toLowerCase();
    return ns.length() > 50 ? ns.substring(0, 50).replaceAll("-$", "") : ns;
  }

  private static ModelServer create(String name, String namespace) {
    ModelServer server = TestModelServers.minimal(name, namespace);
    server.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    return client.resource(server).create();
  }

  private static ModelServer get(String name, String namespace) {
    return client.resources(ModelServer.class).inNamespace(namespace).withName(name).get();
  }

  private static Deployment deployment(String name, String namespace) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private static List<HasMetadata> children(String name, String namespace) {
    return java.util.stream.Stream.<HasMetadata>of(
            client.configMaps().inNamespace(namespace).withName(name + "-config").get(),
            deployment(name, namespace),
            client.services().inNamespace(namespace).withName(name).get(),
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(namespace)
                .withName(name)
                .get(),
            client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name).get())
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  private static List<HasMetadata> awaitChildren(String name, String namespace) {
    await().atMost(TIMEOUT).until(() -> children(name, namespace).size() == 5);
    return children(name, namespace);
  }

  private static Optional<Condition> condition(ModelServer server, String type) {
    if (server == null || server.getStatus() == null) {
      return Optional.empty();
    }
    return server.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst();
  }

  private static String configHash(Deployment deployment) {
    return deployment
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(DeploymentDesiredState.CONFIG_HASH_ANNOTATION);
  }

  @Test
  void creating_a_model_server_creates_five_owned_labelled_children(TestInfo test) {
    String ns = namespace(test);
    ModelServer server = create("embeddings", ns);
    List<HasMetadata> children = awaitChildren("embeddings", ns);

    assertThat(children)
        .extracting(HasMetadata::getKind)
        .containsExactly(
            "ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget");
    assertThat(children)
        .allSatisfy(
            child -> {
              assertThat(child.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(
                      ref -> {
                        assertThat(ref.getUid()).isEqualTo(server.getMetadata().getUid());
                        assertThat(ref.getKind()).isEqualTo("ModelServer");
                        assertThat(ref.getController()).isTrue();
                      });
              assertThat(child.getMetadata().getLabels())
                  .containsEntry("app.kubernetes.io/name", "model-server")
                  .containsEntry("app.kubernetes.io/instance", "embeddings")
                  .containsEntry("app.kubernetes.io/component", "inference")
                  .containsEntry("app.kubernetes.io/managed-by", "mlplatform-operator")
                  .containsEntry("app.kubernetes.io/version", "0.1.0");
            });
    assertThat(deployment("embeddings", ns).getSpec().getReplicas())
        .as("the HPA owns replicas")
        .isNull();
    assertThat(get("embeddings", ns).getSpec().getReplicas())
        .as("defaults are never written back into the spec")
        .isNull();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .extracting(Event::getReason, Event::getMessage)
                    .extracting(Object::toString)
                    .anyMatch(e -> e.contains("Created") && e.contains("Deployment embeddings")));
  }

  @Test
  void spec_change_updates_children_and_rolls_pods_through_the_config_hash(TestInfo test) {
    String ns = namespace(test);
    create("embeddings", ns);
    awaitChildren("embeddings", ns);
    String hashBefore = configHash(deployment("embeddings", ns));

    client
        .resources(ModelServer.class)
        .inNamespace(ns)
        .withName("embeddings")
        .edit(
            s -> {
              BatchingSpec batching = new BatchingSpec();
              batching.setMaxBatchSize(8);
              s.getSpec().setBatching(batching);
              s.getSpec().setReplicas(new ReplicasSpec(2, 7));
              return s;
            });

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ConfigMap cm =
                  client.configMaps().inNamespace(ns).withName("embeddings-config").get();
              assertThat(cm.getData()).containsEntry("MAX_BATCH_SIZE", "8");
              assertThat(configHash(deployment("embeddings", ns))).isNotEqualTo(hashBefore);
              HorizontalPodAutoscaler hpa =
                  client
                      .autoscaling()
                      .v2()
                      .horizontalPodAutoscalers()
                      .inNamespace(ns)
                      .withName("embeddings")
                      .get();
              assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
              assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(7);
            });
  }

  @Test
  void entry_removed_from_spec_config_leaves_the_config_map(TestInfo test) {
    String ns = namespace(test);
    ModelServer server = TestModelServers.minimal("embeddings", ns);
    server.setMetadata(new ObjectMetaBuilder().withName("embeddings").withNamespace(ns).build());
    server.getSpec().setConfig(Map.of("LOG_FORMAT", "json"));
    client.resource(server).create();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                "json"
                    .equals(
                        client
                            .configMaps()
                            .inNamespace(ns)
                            .withName("embeddings-config")
                            .get()
                            .getData()
                            .get("LOG_FORMAT")));

    // edit() sends the resourceVersion it read; the operator's status write may land in between
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(
            () ->
                client
                        .resources(ModelServer.class)
                        .inNamespace(ns)
                        .withName("embeddings")
                        .edit(
                            s -> {
                              s.getSpec().setConfig(Map.of());
                              return s;
                            })
                    != null);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .configMaps()
                            .inNamespace(ns)
                            .withName("embeddings-config")
                            .get()
                            .getData())
                    .as("every ConfigMap key becomes an environment variable of the server")
                    .doesNotContainKey("LOG_FORMAT"));
  }

  @Test
  void deleted_child_is_recreated(TestInfo test) {
    String ns = namespace(test);
    create("embeddings", ns);
    awaitChildren("embeddings", ns);
    String uid =
        client.services().inNamespace(ns).withName("embeddings").get().getMetadata().getUid();

    client.services().inNamespace(ns).withName("embeddings").delete();
    client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("embeddings").delete();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              Service service = client.services().inNamespace(ns).withName("embeddings").get();
              assertThat(service).isNotNull();
              assertThat(service.getMetadata().getUid()).isNotEqualTo(uid);
              PodDisruptionBudget pdb =
                  client
                      .policy()
                      .v1()
                      .podDisruptionBudget()
                      .inNamespace(ns)
                      .withName("embeddings")
                      .get();
              assertThat(pdb).isNotNull();
            });
  }

  @Test
  void filled_in_deployment_and_hpa_status_make_the_model_server_ready(TestInfo test) {
    String ns = namespace(test);
    create("embeddings", ns);
    awaitChildren("embeddings", ns);
    await().atMost(TIMEOUT).until(() -> condition(get("embeddings", ns), "Ready").isPresent());
    assertThat(condition(get("embeddings", ns), "Ready").orElseThrow().getStatus())
        .isEqualTo("False");

    // Play the HPA and Deployment controllers.
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .withName("embeddings")
        .editStatus(
            h -> {
              h.setStatus(
                  new HorizontalPodAutoscalerStatusBuilder()
                      .withCurrentReplicas(2)
                      .withDesiredReplicas(3)
                      .build());
              return h;
            });
    DeploymentController.rolledOut(client, ns, "embeddings", 2);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ModelServer server = get("embeddings", ns);
              assertThat(condition(server, "Ready").orElseThrow().getStatus()).isEqualTo("True");
              assertThat(condition(server, "Progressing").orElseThrow().getStatus())
                  .isEqualTo("False");
              assertThat(condition(server, "Degraded").orElseThrow().getStatus())
                  .isEqualTo("False");
              assertThat(server.getStatus().getReplicas()).isEqualTo(2);
              assertThat(server.getStatus().getReadyReplicas()).isEqualTo(2);
              assertThat(server.getStatus().getDesiredReplicas()).isEqualTo(3);
              assertThat(server.getStatus().getReady()).isEqualTo("2/2");
              assertThat(server.getStatus().getUrl())
                  .isEqualTo("http://embeddings." + ns + ".svc.cluster.local");
              assertThat(server.getStatus().getObservedGeneration())
                  .isEqualTo(server.getMetadata().getGeneration());
            });
  }

  @Test
  void crash_looping_pod_degrades_the_model_server(TestInfo test) {
    String ns = namespace(test);
    create("embeddings", ns);
    awaitChildren("embeddings", ns);

    // Play the kubelet: a pod of this ModelServer whose container keeps exiting.
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("embeddings-7d9f-abcde")
            .withNamespace(ns)
            .withLabels(
                deployment("embeddings", ns).getSpec().getTemplate().getMetadata().getLabels())
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("model-server")
            .withImage(TestModelServers.DEFAULT_IMAGE)
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("model-server")
                    .withImage(TestModelServers.DEFAULT_IMAGE)
                    .withRestartCount(5)
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .endWaiting()
                    .endState()
                    .withNewLastState()
                    .withNewTerminated()
                    .withExitCode(1)
                    .withReason("Error")
                    .withMessage("model load failed: no bundled model")
                    .endTerminated()
                    .endLastState()
                    .build())
            .endStatus()
            .build();
    client.resource(pod).create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              Condition degraded = condition(get("embeddings", ns), "Degraded").orElseThrow();
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getReason()).isEqualTo("CrashLoopBackOff");
              assertThat(degraded.getMessage()).contains("model load failed");
              assertThat(client.v1().events().inNamespace(ns).list().getItems())
                  .anyMatch(
                      e ->
                          e.getType().equals("Warning")
                              && e.getReason().equals("CrashLoopBackOff"));
            });

    // Another restart updates the message but is not a new transition: no second Event.
    client
        .pods()
        .inNamespace(ns)
        .withName("embeddings-7d9f-abcde")
        .editStatus(
            p -> {
              p.getStatus().getContainerStatuses().get(0).setRestartCount(6);
              return p;
            });
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(condition(get("embeddings", ns), "Degraded").orElseThrow().getMessage())
                    .contains("6 restarts"));
    await()
        .during(Duration.ofMillis(500))
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .filteredOn(e -> e.getReason().equals("CrashLoopBackOff"))
                    .hasSize(1));
  }

  @Test
  void invalid_spec_is_degraded_as_invalid_spec_and_touches_no_child(TestInfo test) {
    String ns = namespace(test);
    create("embeddings", ns);
    List<HasMetadata> before = awaitChildren("embeddings", ns);

    client
        .resources(ModelServer.class)
        .inNamespace(ns)
        .withName("embeddings")
        .edit(
            s -> {
              s.getSpec().setReplicas(new ReplicasSpec(4, 2));
              BatchingSpec batching = new BatchingSpec();
              batching.setMaxBatchSize(1);
              s.getSpec().setBatching(batching);
              return s;
            });

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              ModelServer server = get("embeddings", ns);
              Condition degraded = condition(server, "Degraded").orElseThrow();
              assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
              assertThat(degraded.getMessage()).contains("spec.replicas.max");
              assertThat(condition(server, "Ready").orElseThrow().getReason())
                  .isEqualTo("InvalidSpec");
              assertThat(server.getStatus().getObservedGeneration())
                  .isEqualTo(server.getMetadata().getGeneration());
            });
    assertThat(children("embeddings", ns))
        .extracting(c -> c.getMetadata().getResourceVersion())
        .as("no child was written")
        .isEqualTo(before.stream().map(c -> c.getMetadata().getResourceVersion()).toList());
  }

  @Test
  void invalid_new_model_server_gets_no_children(TestInfo test) {
    String ns = namespace(test);
    ModelServer server = TestModelServers.minimal("broken", ns);
    server.setMetadata(new ObjectMetaBuilder().withName("broken").withNamespace(ns).build());
    server.getSpec().setReplicas(new ReplicasSpec(0, 2));
    client.resource(server).create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(condition(get("broken", ns), "Degraded").orElseThrow().getMessage())
                    .contains("spec.replicas.min: must be >= 1, got 0"));
    assertThat(children("broken", ns)).isEmpty();
  }

  @Test
  void failing_api_writes_degrade_as_reconcile_failed_and_recover_on_retry(TestInfo test) {
    String ns = namespace(test);
    Fault broken =
        cluster
            .dispatcher()
            .inject(Fault.childWrites(ns).answer(500, "etcdserver: request timed out"));
    try {
      create("embeddings", ns);
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                Condition degraded = condition(get("embeddings", ns), "Degraded").orElseThrow();
                assertThat(degraded.getStatus()).isEqualTo("True");
                assertThat(degraded.getReason()).isEqualTo("ReconcileFailed");
                assertThat(degraded.getMessage()).contains("etcdserver: request timed out");
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .anyMatch(e -> e.getReason().equals("ReconcileFailed"));
              });
      assertThat(children("embeddings", ns)).isEmpty();
    } finally {
      broken.heal();
    }

    // JOSDK retries with back-off; once the API server answers again everything converges.
    awaitChildren("embeddings", ns);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(condition(get("embeddings", ns), "Degraded").orElseThrow().getStatus())
                    .isEqualTo("False"));
  }

  @Test
  void model_servers_in_two_namespaces_stay_apart(TestInfo test) {
    String a = namespace(test) + "-a";
    String b = namespace(test) + "-b";
    create("embeddings", a);
    create("embeddings", b);
    client
        .resources(ModelServer.class)
        .inNamespace(b)
        .withName("embeddings")
        .edit(
            s -> {
              s.getSpec().setReplicas(new ReplicasSpec(3, 9));
              return s;
            });
    awaitChildren("embeddings", a);
    awaitChildren("embeddings", b);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(b)
                            .withName("embeddings")
                            .get()
                            .getSpec()
                            .getMaxReplicas())
                    .isEqualTo(9));
    assertThat(
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(a)
                .withName("embeddings")
                .get()
                .getSpec()
                .getMaxReplicas())
        .isEqualTo(5);
    String uidA = get("embeddings", a).getMetadata().getUid();
    assertThat(children("embeddings", a))
        .allSatisfy(
            c -> assertThat(c.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo(uidA));
    assertThat(
            Set.copyOf(
                client.apps().deployments().inNamespace(a).list().getItems().stream()
                    .map(d -> d.getMetadata().getName())
                    .toList()))
        .containsExactly("embeddings");
  }

  @Test
  void unchanged_world_skips_the_status_write(TestInfo test) {
    String ns = namespace(test);
    create("embeddings", ns);
    awaitChildren("embeddings", ns);
    await().atMost(TIMEOUT).until(() -> condition(get("embeddings", ns), "Ready").isPresent());
    double skippedBefore = skipped();
    double childWritesBefore = childWrites();
    String version = get("embeddings", ns).getMetadata().getResourceVersion();
    List<String> childVersions =
        children("embeddings", ns).stream().map(c -> c.getMetadata().getResourceVersion()).toList();

    // A pod event triggers a reconciliation that observes nothing new.
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("embeddings-healthy")
            .withNamespace(ns)
            .withLabels(
                deployment("embeddings", ns).getSpec().getTemplate().getMetadata().getLabels())
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    client.resource(pod).create();

    await().atMost(TIMEOUT).until(() -> skipped() > skippedBefore);
    assertThat(get("embeddings", ns).getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(childWrites())
        .as("the server-side-apply matcher finds the children up to date: no apply at all")
        .isEqualTo(childWritesBefore);
    assertThat(children("embeddings", ns))
        .extracting(c -> c.getMetadata().getResourceVersion())
        .isEqualTo(childVersions);
  }

  private static double childWrites() {
    return registry.find("mlplatform.operator.child.writes").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static double skipped() {
    return Optional.ofNullable(
            registry.find("mlplatform.operator.status.updates").tag("result", "skipped").counter())
        .map(c -> c.count())
        .orElse(0.0);
  }
}
