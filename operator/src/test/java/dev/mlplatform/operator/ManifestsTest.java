package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.reconciler.SpecValidator;
import dev.mlplatform.operator.testing.Tools;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped manifests (k8s/base) and examples, read as Kubernetes objects. */
class ManifestsTest {

  private static final Path BASE = Golden.repoRoot().resolve("k8s/base");
  private static final Path EXAMPLES = Golden.repoRoot().resolve("examples");

  private static <T> T read(Path file, Class<T> type) throws IOException {
    return Serialization.unmarshal(Files.readString(file), type);
  }

  private static Container operatorContainer() throws IOException {
    return read(BASE.resolve("deployment.yaml"), Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  @Test
  void operator_probes_hit_its_health_routes_on_its_management_port() throws IOException {
    Container container = operatorContainer();
    assertThat(container.getPorts())
        .filteredOn(p -> p.getName().equals("management"))
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8081));
    String port =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("MANAGEMENT_PORT"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElse(OperatorConfig.MANAGEMENT_PORT.defaultValue());
    assertThat(port).isEqualTo("8081");
    for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
    }
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
        .isEqualTo("management");
    Service metrics = read(BASE.resolve("metrics-service.yaml"), Service.class);
    assertThat(metrics.getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo("management");
  }

  @Test
  void the_api_service_reaches_the_operators_external_metrics_port() throws IOException {
    Container container = operatorContainer();
    String port =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("EXTERNAL_METRICS_PORT"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElse(OperatorConfig.EXTERNAL_METRICS_PORT.defaultValue());
    assertThat(container.getPorts())
        .filteredOn(p -> p.getName().equals("ext-metrics"))
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(Integer.parseInt(port)));
    List<GenericKubernetesResource> objects =
        Stream.of(Files.readString(BASE.resolve("external-metrics.yaml")).split("\n---\n"))
            .map(yaml -> Serialization.unmarshal(yaml, GenericKubernetesResource.class))
            .toList();
    GenericKubernetesResource apiService =
        objects.stream().filter(o -> o.getKind().equals("APIService")).findFirst().orElseThrow();
    Service service =
        Serialization.unmarshal(
            Serialization.asYaml(
                objects.stream()
                    .filter(o -> o.getKind().equals("Service"))
                    .findFirst()
                    .orElseThrow()),
            Service.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> ref =
        (Map<String, Object>)
            ((Map<String, Object>) apiService.getAdditionalProperties().get("spec")).get("service");
    assertThat(ref)
        .containsEntry("name", service.getMetadata().getName())
        .containsEntry("namespace", service.getMetadata().getNamespace())
        .containsEntry("port", service.getSpec().getPorts().get(0).getPort());
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo("ext-metrics");
    assertThat(service.getMetadata().getName())
        .isEqualTo(OperatorConfig.EXTERNAL_METRICS_SERVICE.defaultValue());
  }

  @Test
  void every_port_name_is_a_valid_service_name() throws Exception {
    // IANA service names, as the API server checks them: at most 15 characters
    List<String> names = new ArrayList<>();
    for (String yaml : Files.readString(BASE.resolve("deployment.yaml")).split("\n---\n")) {
      Deployment deployment = Serialization.unmarshal(yaml, Deployment.class);
      deployment.getSpec().getTemplate().getSpec().getContainers().stream()
          .flatMap(c -> c.getPorts().stream())
          .forEach(p -> names.add(p.getName()));
    }
    try (Stream<Path> files = Files.list(BASE)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        for (String yaml : Files.readString(file).split("\n---\n")) {
          if (yaml.contains("kind: Service\n")) {
            Service service = Serialization.unmarshal(yaml, Service.class);
            service
                .getSpec()
                .getPorts()
                .forEach(
                    p -> {
                      names.add(p.getName());
                      if (p.getTargetPort() != null && p.getTargetPort().getStrVal() != null) {
                        names.add(p.getTargetPort().getStrVal());
                      }
                    });
          }
        }
      }
    }
    assertThat(names)
        .isNotEmpty()
        .allMatch(
            n -> n.matches("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?"),
            "a lower-case IANA service name of at most 15 characters");
  }

  @Test
  void operator_container_is_hardened() throws IOException {
    var sc = operatorContainer().getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(operatorContainer().getEnv())
        .extracting(EnvVar::getName)
        .allSatisfy(
            name ->
                assertThat(
                        name.equals("JAVA_TOOL_OPTIONS")
                            || OperatorConfig.OPTIONS.stream().anyMatch(o -> o.env().equals(name)))
                    .as("%s is an operator setting", name)
                    .isTrue());
  }

  @Test
  void cluster_role_is_written_verb_by_verb_and_covers_every_child() throws IOException {
    ClusterRole role = read(BASE.resolve("cluster-role.yaml"), ClusterRole.class);
    Map<String, List<String>> verbs = new HashMap<>();
    Map<String, List<String>> urls = new HashMap<>();
    for (PolicyRule rule : role.getRules()) {
      assertThat(rule.getVerbs()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getNonResourceURLs()).noneMatch(url -> url.contains("*"));
      rule.getResources().forEach(r -> verbs.put(r, rule.getVerbs()));
      rule.getNonResourceURLs().forEach(url -> urls.put(url, rule.getVerbs()));
    }
    // Informers serve every read: list and watch, no get. JOSDK writes ConfigMaps without
    // server-side apply by default: create, then update.
    assertThat(verbs.get("configmaps"))
        .containsExactlyInAnyOrder("list", "watch", "create", "update");
    // Server-side apply is a patch, authorized as create too when the child is new.
    for (String child :
        List.of("services", "deployments", "horizontalpodautoscalers", "poddisruptionbudgets")) {
      assertThat(verbs.get(child))
          .as(child)
          .containsExactlyInAnyOrder("list", "watch", "create", "patch");
    }
    // Optional children are deleted when their spec section is turned off.
    List<String> optionalChildren =
        List.of("servicemonitors", "networkpolicies", "persistentvolumeclaims");
    for (String optional : optionalChildren) {
      assertThat(verbs.get(optional))
          .as(optional)
          .containsExactlyInAnyOrder("list", "watch", "create", "patch", "delete");
    }
    assertThat(verbs)
        .as("only the optional children may be deleted")
        .allSatisfy(
            (resource, allowed) ->
                assertThat(allowed.contains("delete"))
                    .as(resource)
                    .isEqualTo(optionalChildren.contains(resource)));
    // API discovery (ServiceMonitorApi) and JOSDK's SelfSubjectRulesReview are allowed to every
    // authenticated user by the bootstrap roles system:discovery and system:basic-user.
    assertThat(urls).isEmpty();
    assertThat(verbs).doesNotContainKey("selfsubjectrulesreviews");
    assertThat(verbs.get("modelservers")).containsExactlyInAnyOrder("list", "watch");
    assertThat(verbs.get("modelservers/status")).containsExactly("patch");
    assertThat(verbs.get("pods")).containsExactlyInAnyOrder("list", "watch");
    // a repeated Event is counted on the first: read, then patched
    assertThat(verbs.get("events")).containsExactlyInAnyOrder("create", "patch", "get");
    // the tail of a running fetch-model container, for a download's progress; nothing else of pods
    assertThat(verbs.get("pods/log")).containsExactly("get");
    assertThat(verbs)
        .as("only Events and a fetch's log are read outside the informers")
        .allSatisfy(
            (resource, allowed) ->
                assertThat(allowed.contains("get"))
                    .as(resource)
                    .isEqualTo(resource.equals("events") || resource.equals("pods/log")));
    String leaderElection = Files.readString(BASE.resolve("leader-election-role.yaml"));
    Role leases = Serialization.unmarshal(leaderElection.split("\n---\n")[0], Role.class);
    // fabric8 renews the Lease with a patch; JOSDK's start-up check insists on update
    assertThat(leases.getRules().get(0).getVerbs())
        .containsExactlyInAnyOrder("get", "create", "update", "patch");
  }

  @Test
  void examples_are_valid_model_servers() throws IOException {
    ModelServer minimal = read(EXAMPLES.resolve("modelserver-minimal.yaml"), ModelServer.class);
    ModelServer full = read(EXAMPLES.resolve("modelserver-full.yaml"), ModelServer.class);
    assertThat(SpecValidator.validate(minimal.getSpec())).isEmpty();
    assertThat(SpecValidator.validate(full.getSpec())).isEmpty();
    assertThat(minimal.getSpec().getReplicas()).isNull();
    assertThat(full.getSpec().getReplicas().getMax()).isEqualTo(10);
    assertThat(full.getSpec().getPod().getAffinity()).isNotNull();
    assertThat(full.getSpec().getMonitoring().getLabels()).containsKey("release");
    assertThat(full.getSpec().getNetworkPolicy().getEnabled()).isTrue();
    assertThat(full.getSpec().getNetworkPolicy().getAllowedNamespaceSelectors()).hasSize(1);
  }

  /** Argo CD syncs what the team's Application includes; nothing else exists on the cluster. */
  @Test
  void the_team_application_syncs_every_secret_its_model_servers_name() throws IOException {
    GenericKubernetesResource app =
        read(EXAMPLES.resolve("argocd/team-modelservers.yaml"), GenericKubernetesResource.class);
    Map<?, ?> source = (Map<?, ?>) app.getAdditionalProperties().get("spec");
    source = (Map<?, ?>) source.get("source");
    String include = (String) ((Map<?, ?>) source.get("directory")).get("include");
    PathMatcher synced = FileSystems.getDefault().getPathMatcher("glob:" + include);
    List<HasMetadata> objects = new ArrayList<>();
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path file : files.filter(f -> synced.matches(f.getFileName())).toList()) {
        String yaml = Files.readString(file);
        String kind = Serialization.unmarshal(yaml, GenericKubernetesResource.class).getKind();
        objects.add(
            kind.equals("ModelServer")
                ? Serialization.unmarshal(yaml, ModelServer.class)
                : (HasMetadata) Serialization.unmarshal(yaml));
      }
    }

    List<ModelServer> servers =
        objects.stream()
            .filter(ModelServer.class::isInstance)
            .map(ModelServer.class::cast)
            .toList();
    assertThat(servers).hasSize(2);
    for (ModelServer server : servers) {
      if (server.getSpec().getAuth() == null) {
        continue;
      }
      var ref = server.getSpec().getAuth().getApiKeySecretRef();
      assertThat(objects)
          .as("a synced Secret %s with key %s", ref.getName(), ref.getKey())
          .filteredOn(Secret.class::isInstance)
          .map(Secret.class::cast)
          .anySatisfy(
              secret -> {
                assertThat(secret.getMetadata().getName()).isEqualTo(ref.getName());
                assertThat(secret.getMetadata().getNamespace())
                    .isEqualTo(server.getMetadata().getNamespace());
                assertThat(secret.getStringData().get(ref.getKey())).hasSizeGreaterThan(15);
              });
    }
  }

  @Test
  void kustomize_renders_the_base_as_in_its_golden_file() throws Exception {
    Path kubectl = Tools.require("kubectl", "kubernetes");
    if (Golden.updating()) {
      // The base includes the CRD copy; refresh it first so one update run suffices.
      String crd = "modelservers.serving.mlplatform.dev-v1.yml";
      Files.copy(
          Path.of(System.getProperty("crd.generated.dir", "target/crds")).resolve(crd),
          BASE.resolve(crd),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Process process =
        new ProcessBuilder(kubectl.toString(), "kustomize", BASE.toString())
            .redirectErrorStream(true)
            .start();
    String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(rendered).isZero();
    assertThat(rendered).contains("kind: CustomResourceDefinition", "kind: ClusterRole");
    Golden.assertMatches("k8s-base.yaml", rendered);
  }
}
