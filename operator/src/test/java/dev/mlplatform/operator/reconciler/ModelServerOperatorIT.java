package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelCacheSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.Conflicts;
import dev.mlplatform.operator.testing.Kubelet;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator, configured as in production (server-side apply for children and status), against a
 * real API server with kube-controller-manager beside it ({@link RealCluster}): the ReplicaSet,
 * Deployment and HPA controllers act on what it writes, and the tests play only the kubelet ({@link
 * Kubelet}), since no node runs. Each test has its own namespace.
 */
class ModelServerOperatorIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static KubernetesClient client;

  @BeforeAll
  static void client() {
    client = cluster.client();
  }

  /**
   * A wait in which a condition or status not written yet (an {@code orElseThrow}) means "not yet";
   * the last failure is reported if it times out.
   */
  private static ConditionFactory awaiting() {
    return await().atMost(TIMEOUT).ignoreExceptions();
  }

  private static ModelServer create(String name, String namespace) {
    return client.resource(Children.minimal(name, namespace)).create();
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
    awaiting().until(() -> children(name, namespace).size() == 5);
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
  void creating_a_model_server_creates_five_owned_labelled_children() {
    String ns = cluster.namespace();
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
    assertThat(deployment("embeddings", ns).getMetadata().getManagedFields())
        .filteredOn(f -> f.getManager().equals(ModelServerReconciler.NAME))
        .as("the HPA owns replicas: the operator's applies never set spec.replicas")
        .isNotEmpty()
        .allSatisfy(
            f ->
                assertThat(f.getFieldsV1().getAdditionalProperties().get("f:spec").toString())
                    .doesNotContain("f:replicas"));
    await().atMost(TIMEOUT).until(() -> get("embeddings", ns).getStatus() != null);
    assertThat(get("embeddings", ns).getMetadata().getManagedFields())
        .filteredOn(f -> f.getManager().equals(ModelServerReconciler.NAME))
        .as("the operator writes the status only, never (defaults) into the user's spec")
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getSubresource()).isEqualTo("status"));
    awaiting()
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .extracting(Event::getReason, Event::getMessage)
                    .extracting(Object::toString)
                    .anyMatch(e -> e.contains("Created") && e.contains("Deployment embeddings")));
  }

  @Test
  void spec_change_updates_children_and_rolls_pods_through_the_config_hash() {
    String ns = cluster.namespace();
    create("embeddings", ns);
    awaitChildren("embeddings", ns);
    String hashBefore = configHash(deployment("embeddings", ns));

    Conflicts.retry(
        () ->
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
                    }));

    awaiting()
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
  void entry_removed_from_spec_config_leaves_the_config_map() {
    String ns = cluster.namespace();
    ModelServer server = Children.minimal("embeddings", ns);
    server.getSpec().setConfig(Map.of("LOG_FORMAT", "json"));
    client.resource(server).create();
    awaiting()
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
    awaiting()
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

    awaiting()
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
  void deleted_child_is_recreated() {
    String ns = cluster.namespace();
    create("embeddings", ns);
    awaitChildren("embeddings", ns);
    String uid =
        client.services().inNamespace(ns).withName("embeddings").get().getMetadata().getUid();

    client.services().inNamespace(ns).withName("embeddings").delete();
    client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("embeddings").delete();

    awaiting()
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
  void pods_the_kubelet_reports_ready_make_the_model_server_ready() {
    String ns = cluster.namespace();
    create("embeddings", ns);
    awaitChildren("embeddings", ns);
    awaiting().until(() -> condition(get("embeddings", ns), "Ready").isPresent());
    assertThat(condition(get("embeddings", ns), "Ready").orElseThrow().getStatus())
        .as("the ReplicaSet controller's pod is Pending: no node runs it")
        .isEqualTo("False");

    // The kubelet reports the pod ready; the ReplicaSet and Deployment controllers count it.
    for (Pod pod : Kubelet.awaitPods(client, ns, "embeddings")) {
      Kubelet.ready(client, pod);
    }

    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get("embeddings", ns);
              assertThat(condition(server, "Ready").orElseThrow().getStatus()).isEqualTo("True");
              assertThat(condition(server, "Progressing").orElseThrow().getStatus())
                  .isEqualTo("False");
              assertThat(condition(server, "Degraded").orElseThrow().getStatus())
                  .isEqualTo("False");
              assertThat(server.getStatus().getReplicas()).isEqualTo(1);
              assertThat(server.getStatus().getReadyReplicas()).isEqualTo(1);
              assertThat(server.getStatus().getReady()).isEqualTo("1/1");
              assertThat(server.getStatus().getUrl())
                  .isEqualTo("http://embeddings." + ns + ".svc.cluster.local");
              assertThat(server.getStatus().getObservedGeneration())
                  .isEqualTo(server.getMetadata().getGeneration());
            });
    assertThat(client.v1().events().inNamespace(ns).list().getItems())
        .as("one Normal Event for the transition to Ready")
        .filteredOn(e -> e.getInvolvedObject().getKind().equals("ModelServer"))
        .filteredOn(e -> e.getType().equals("Normal") && !e.getReason().equals("Created"))
        .hasSize(1);
  }

  @Test
  void crash_looping_pod_degrades_the_model_server() {
    String ns = cluster.namespace();
    create("embeddings", ns);
    awaitChildren("embeddings", ns);

    // The kubelet reports the ReplicaSet's pod crash-looping.
    Pod pod = Kubelet.awaitPods(client, ns, "embeddings").get(0);
    Kubelet.crashLooping(client, pod, 5, "model load failed: no bundled model");

    awaiting()
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
    Kubelet.crashLooping(client, pod, 6, "model load failed: no bundled model");
    awaiting()
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
  void invalid_spec_is_degraded_as_invalid_spec_and_touches_no_child() {
    String ns = cluster.namespace();
    create("embeddings", ns);
    List<HasMetadata> before = awaitChildren("embeddings", ns);
    Deployment deploymentBefore = deployment("embeddings", ns);

    Conflicts.retry(
        () ->
            client
                .resources(ModelServer.class)
                .inNamespace(ns)
                .withName("embeddings")
                .edit(
                    s -> {
                      // the server's own rule, not the CRD's: the API server accepts the edit,
                      // and the operator once rendered it, so every pod crash-looped on it
                      s.getSpec().setConfig(Map.of("SHUTDOWN_DRAIN_SECONDS", "7200"));
                      return s;
                    }));

    awaiting()
        .untilAsserted(
            () -> {
              ModelServer server = get("embeddings", ns);
              Condition degraded = condition(server, "Degraded").orElseThrow();
              assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
              assertThat(degraded.getMessage())
                  .contains(
                      "spec.config.SHUTDOWN_DRAIN_SECONDS: must be a whole number from 0 to 3600,"
                          + " got '7200'");
              assertThat(condition(server, "Ready").orElseThrow().getReason())
                  .isEqualTo("InvalidSpec");
              assertThat(server.getStatus().getObservedGeneration())
                  .isEqualTo(server.getMetadata().getGeneration());
            });
    assertThat(children("embeddings", ns))
        .extracting(ModelServerOperatorIT::operatorWrites)
        .as("no child was written by the operator")
        .isEqualTo(before.stream().map(ModelServerOperatorIT::operatorWrites).toList());
    Deployment deploymentAfter = deployment("embeddings", ns);
    assertThat(deploymentAfter.getMetadata().getGeneration())
        .isEqualTo(deploymentBefore.getMetadata().getGeneration());
    assertThat(configHash(deploymentAfter)).isEqualTo(configHash(deploymentBefore));
  }

  @Test
  void invalid_new_model_server_gets_no_children() {
    String ns = cluster.namespace();
    ModelServer server = Children.minimal("broken", ns);
    server.getSpec().setConfig(Map.of("API_KEY", "s3cret"));
    client.resource(server).create();

    awaiting()
        .untilAsserted(
            () ->
                assertThat(condition(get("broken", ns), "Degraded").orElseThrow().getMessage())
                    .contains(
                        "spec.config.API_KEY: is set by the operator; use"
                            + " spec.auth.apiKeySecretRef instead"));
    assertThat(children("broken", ns)).isEmpty();
  }

  @Test
  void model_servers_in_two_namespaces_stay_apart() {
    String a = cluster.namespace();
    String b = a + "-b";
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(b).endMetadata().build())
        .create();
    try {
      apart(a, b);
    } finally {
      client.resources(ModelServer.class).inNamespace(b).delete();
      client.namespaces().withName(b).delete();
    }
  }

  private static void apart(String a, String b) {
    create("embeddings", a);
    create("embeddings", b);
    Conflicts.retry(
        () ->
            client
                .resources(ModelServer.class)
                .inNamespace(b)
                .withName("embeddings")
                .edit(
                    s -> {
                      s.getSpec().setReplicas(new ReplicasSpec(3, 9));
                      return s;
                    }));
    awaitChildren("embeddings", a);
    awaitChildren("embeddings", b);

    awaiting()
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

  /** ModelServers that must settle to no write at all, by a name for the test report. */
  static Stream<Arguments> settledModelServers() {
    return Stream.of(
        Arguments.of(
            "minimal, with a model cache and quantities the API server spells another way",
            (Function<String, ModelServer>) ModelServerOperatorIT::respelled),
        Arguments.of(
            "examples/modelserver-full.yaml",
            (Function<String, ModelServer>) ns -> Children.example("modelserver-full.yaml", ns)),
        Arguments.of(
            "scaling on the queue with policies, and a NetworkPolicy",
            (Function<String, ModelServer>) ModelServerOperatorIT::scalingOnTheQueue));
  }

  /** The HPA's behaviour and a NetworkPolicy: lists the API server merges by key and defaults. */
  private static ModelServer scalingOnTheQueue(String ns) {
    return Serialization.unmarshal(
        """
        apiVersion: serving.mlplatform.dev/v1alpha1
        kind: ModelServer
        metadata: {name: queued, namespace: %s}
        spec:
          model: {id: sentence-transformers/all-MiniLM-L6-v2}
          replicas: {min: 1, max: 4}
          autoscaling:
            metric: queue
            scaleUpStabilizationSeconds: 0
            scaleUp:
              policies:
                - {type: Pods, value: 2, periodSeconds: 15}
                - {type: Percent, value: 100, periodSeconds: 15}
            scaleDown:
              selectPolicy: Max
              policies: [{type: Pods, value: 1, periodSeconds: 60}]
          networkPolicy: {enabled: true}
        """
            .formatted(ns),
        ModelServer.class);
  }

  /** Quantities the API server stores as 1, 1Gi and 2Gi, and a cache of 1024Mi (stored as 1Gi). */
  private static ModelServer respelled(String ns) {
    ModelServer server = Children.minimal("embeddings", ns);
    server
        .getSpec()
        .setResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("1000m"))
                .addToRequests("memory", new Quantity("1024Mi"))
                .addToLimits("memory", new Quantity("2048Mi"))
                .build());
    ModelCacheSpec cache = new ModelCacheSpec();
    cache.setSize("1024Mi");
    server.getSpec().getModel().setCache(cache);
    return server;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settledModelServers")
  void unchanged_world_skips_the_status_write(String what, Function<String, ModelServer> build) {
    String ns = cluster.namespace();
    String name = client.resource(build.apply(ns)).create().getMetadata().getName();
    awaitChildren(name, ns);
    Pod pod = Kubelet.awaitPods(client, ns, name).get(0);
    // the controllers settle (the HPA's first sync, which raises the Deployment to the minimum;
    // ReplicaSet, pods, Deployment status) and so does the status
    awaiting()
        .until(
            () -> {
              if (!scaledByTheHpa(name, ns)) {
                return false;
              }
              String seen = get(name, ns).getMetadata().getResourceVersion();
              Thread.sleep(1_500);
              return seen.equals(get(name, ns).getMetadata().getResourceVersion());
            });
    double skippedBefore = skipped();
    double childWritesBefore = childWrites();
    String childWritesByKindBefore = childWritesByKind();
    ModelServer settled = get(name, ns);
    String version = settled.getMetadata().getResourceVersion();
    List<String> childWrites =
        children(name, ns).stream().map(ModelServerOperatorIT::operatorWrites).toList();

    // A pod event (a label a user adds) triggers a reconciliation that observes nothing new.
    Conflicts.retry(
        () ->
            client
                .pods()
                .inNamespace(ns)
                .withName(pod.getMetadata().getName())
                .edit(
                    p -> {
                      p.getMetadata().getLabels().put("debug", "true");
                      return p;
                    }));

    awaiting().until(() -> skipped() > skippedBefore);
    assertThat(get(name, ns).getMetadata().getResourceVersion())
        .as(
            "the ModelServer's resourceVersion: status before %s, after %s",
            Serialization.asJson(settled.getStatus()),
            Serialization.asJson(get(name, ns).getStatus()))
        .isEqualTo(version);
    assertThat(childWrites())
        .as(
            "the server-side-apply matcher finds the children up to date: no apply at all"
                + " (child writes before %s, after %s)",
            childWritesByKindBefore, childWritesByKind())
        .isEqualTo(childWritesBefore);
    assertThat(children(name, ns))
        .extracting(ModelServerOperatorIT::operatorWrites)
        .isEqualTo(childWrites);
  }

  /**
   * What the operator last wrote to {@code child}: its field manager's entries (operation, time,
   * fields). Not the resourceVersion: on a real cluster the controllers write the children's status
   * too (the HPA controller every sync), which is no write of the operator's.
   */
  private static String operatorWrites(HasMetadata child) {
    return child.getMetadata().getManagedFields().stream()
        .filter(f -> f.getManager().equals(ModelServerReconciler.NAME))
        .map(
            f ->
                f.getOperation()
                    + "@"
                    + f.getTime()
                    + " "
                    + f.getFieldsV1().getAdditionalProperties())
        .toList()
        .toString();
  }

  /** Whether the HPA controller has synced once and the Deployment has the replicas it set. */
  private static boolean scaledByTheHpa(String name, String ns) {
    HorizontalPodAutoscaler hpa =
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(name).get();
    Deployment deployment = deployment(name, ns);
    return hpa.getStatus() != null
        && hpa.getStatus().getConditions() != null
        && !hpa.getStatus().getConditions().isEmpty()
        && deployment.getStatus() != null
        && Objects.equals(deployment.getSpec().getReplicas(), deployment.getStatus().getReplicas());
  }

  /** The operator's child writes so far, by kind and operation, for a failure's message. */
  private static String childWritesByKind() {
    return cluster.registry().find("mlplatform.operator.child.writes").counters().stream()
        .map(c -> c.getId().getTag("kind") + " " + c.getId().getTag("operation") + " " + c.count())
        .sorted()
        .toList()
        .toString();
  }

  private static double childWrites() {
    return cluster.registry().find("mlplatform.operator.child.writes").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static double skipped() {
    return Optional.ofNullable(
            cluster
                .registry()
                .find("mlplatform.operator.status.updates")
                .tag("result", "skipped")
                .counter())
        .map(c -> c.count())
        .orElse(0.0);
  }
}
