package dev.mlplatform.operator.testing;

import static org.assertj.core.api.Assertions.fail;

import dev.mlplatform.operator.Golden;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The operator's identity as {@code k8s/base} ships it, installed on a {@link RealCluster}: its
 * ServiceAccount, the ClusterRole and ClusterRoleBinding, and the leader-election Role and
 * RoleBinding, taken from what {@code kubectl kustomize k8s/base} renders and moved into one
 * namespace as kustomize's {@code namespace:} would move them (the cluster-scoped two get that
 * namespace as a name suffix, so tests do not share them). Optionally one verb on one resource is
 * left out ({@link Permission}). The operator then talks to the API server with a token of that
 * ServiceAccount only ({@link #client}, {@link #kubeconfig}): no admin certificate.
 */
public final class OperatorAccount implements AutoCloseable {

  public static final String SERVICE_ACCOUNT = "mlplatform-operator";
  public static final String CLUSTER_ROLE = "ClusterRole";
  public static final String ROLE = "Role";

  /**
   * One verb on one resource (or non-resource URL) granted by the ClusterRole or the Role, e.g.
   * {@code ClusterRole patch apps/deployments}.
   *
   * @param group the API group ("" for core), null for a non-resource URL
   * @param resource the plural, with "/subresource" where the rule names one, or the URL
   */
  public record Permission(String role, String verb, String group, String resource) {
    @Override
    public String toString() {
      return role + " " + call();
    }

    /** The request this permission allows, named as {@link ApiCalls} names requests. */
    public ApiCalls.Call call() {
      return new ApiCalls.Call(
          verb, group == null || group.isEmpty() ? resource : group + "/" + resource);
    }

    /** The same resource or URL, any verb. */
    boolean sameTarget(Permission other) {
      return java.util.Objects.equals(group, other.group) && resource.equals(other.resource);
    }
  }

  private static List<HasMetadata> rendered;

  private final KubernetesClient admin;
  private final String namespace;
  private final ClusterRole clusterRole;
  private final ClusterRoleBinding clusterRoleBinding;

  private OperatorAccount(
      KubernetesClient admin,
      String namespace,
      ClusterRole clusterRole,
      ClusterRoleBinding clusterRoleBinding) {
    this.admin = admin;
    this.namespace = namespace;
    this.clusterRole = clusterRole;
    this.clusterRoleBinding = clusterRoleBinding;
  }

  /** {@code kubectl kustomize k8s/base}, parsed; rendered once per JVM. */
  public static synchronized List<HasMetadata> rendered() {
    if (rendered == null) {
      Path kubectl = Tools.require("kubectl", RealCluster.GROUP);
      try {
        Process process =
            new ProcessBuilder(
                    kubectl.toString(),
                    "kustomize",
                    Golden.repoRoot().resolve("k8s/base").toString())
                .redirectErrorStream(true)
                .start();
        String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
          fail("kubectl kustomize k8s/base failed: %s", yaml);
        }
        try (KubernetesClient offline =
            new KubernetesClientBuilder().withConfig(Config.empty()).build()) {
          rendered =
              List.copyOf(
                  offline
                      .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                      .items());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return rendered;
  }

  /**
   * The one object of {@code type} the reconciler's RBAC consists of; the external-metrics API's
   * own roles and bindings (component external-metrics) are not the reconciler's.
   */
  private static boolean externalMetrics(HasMetadata o) {
    return "external-metrics"
        .equals(o.getMetadata().getLabels().get("app.kubernetes.io/component"));
  }

  /**
   * Also grants the account the external-metrics API's own roles and bindings as {@code
   * k8s/base/external-metrics.yaml} ships them: those in the operator's namespace move to this
   * account's namespace, the reader binding stays in kube-system, and every binding names this
   * account. Closing it deletes the cluster-scoped and kube-system ones (suffixed with the
   * namespace, so tests do not share them).
   */
  public AutoCloseable grantExternalMetrics() {
    List<HasMetadata> created = new ArrayList<>();
    for (HasMetadata object : rendered()) {
      if (!externalMetrics(object)
          || !(object instanceof ClusterRole
              || object instanceof ClusterRoleBinding
              || object instanceof Role
              || object instanceof RoleBinding)) {
        continue;
      }
      HasMetadata copy = Serialization.clone(object);
      boolean kubeSystem = "kube-system".equals(copy.getMetadata().getNamespace());
      if (copy instanceof ClusterRole || copy instanceof ClusterRoleBinding || kubeSystem) {
        copy.getMetadata().setName(copy.getMetadata().getName() + "-" + namespace);
      } else {
        copy.getMetadata().setNamespace(namespace);
      }
      if (copy instanceof ClusterRoleBinding binding) {
        binding.getSubjects().forEach(s -> moveSubject(s, namespace));
        if (binding.getRoleRef().getName().startsWith("mlplatform-")) {
          binding.getRoleRef().setName(binding.getRoleRef().getName() + "-" + namespace);
        }
      } else if (copy instanceof RoleBinding binding) {
        binding.getSubjects().forEach(s -> moveSubject(s, namespace));
      }
      admin.resource(copy).create();
      if (copy instanceof ClusterRole || copy instanceof ClusterRoleBinding || kubeSystem) {
        created.add(copy);
      }
    }
    if (created.isEmpty()) {
      fail("k8s/base renders no external-metrics roles");
    }
    return () -> created.forEach(o -> admin.resource(o).delete());
  }

  private static <T extends HasMetadata> T one(Class<T> type) {
    List<T> all =
        rendered().stream()
            .filter(type::isInstance)
            .map(type::cast)
            .filter(o -> !externalMetrics(o))
            .toList();
    if (all.size() != 1) {
      fail("k8s/base renders %d %s, expected one", all.size(), type.getSimpleName());
    }
    // a copy: callers change it
    return Serialization.clone(all.get(0));
  }

  /** Every verb on every resource the ClusterRole and the leader-election Role grant. */
  public static List<Permission> permissions() {
    List<Permission> all = new ArrayList<>();
    addPermissions(all, CLUSTER_ROLE, one(ClusterRole.class).getRules());
    addPermissions(all, ROLE, one(Role.class).getRules());
    return all;
  }

  private static void addPermissions(List<Permission> all, String role, List<PolicyRule> rules) {
    for (PolicyRule rule : rules) {
      for (String verb : rule.getVerbs()) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            all.add(new Permission(role, verb, group, resource));
          }
        }
        for (String url : rule.getNonResourceURLs()) {
          all.add(new Permission(role, verb, null, url));
        }
      }
    }
  }

  /** {@code rules} without {@code left}: a rule that grants more than that keeps the rest. */
  static List<PolicyRule> without(List<PolicyRule> rules, String role, Permission left) {
    if (left == null || !left.role().equals(role)) {
      return rules;
    }
    List<PolicyRule> kept = new ArrayList<>();
    for (PolicyRule rule : rules) {
      List<Permission> granted = new ArrayList<>();
      addPermissions(granted, role, List.of(rule));
      if (!granted.contains(left)) {
        kept.add(rule);
        continue;
      }
      // one rule per resource or URL of this rule, with its verbs but the one left out
      List<Permission> targets = new ArrayList<>();
      for (Permission p : granted) {
        if (targets.stream().noneMatch(p::sameTarget)) {
          targets.add(p);
        }
      }
      for (Permission target : targets) {
        List<String> verbs =
            granted.stream()
                .filter(q -> q.sameTarget(target) && !q.equals(left))
                .map(Permission::verb)
                .toList();
        if (!verbs.isEmpty()) {
          kept.add(ruleFor(target, verbs));
        }
      }
    }
    return kept;
  }

  private static PolicyRule ruleFor(Permission p, List<String> verbs) {
    PolicyRuleBuilder rule = new PolicyRuleBuilder().withVerbs(verbs);
    return p.group() == null
        ? rule.withNonResourceURLs(p.resource()).build()
        : rule.withApiGroups(p.group()).withResources(p.resource()).build();
  }

  /**
   * Creates the ServiceAccount, roles and bindings in {@code namespace} (which must exist), leaving
   * out {@code without} when it is not null.
   */
  public static OperatorAccount install(
      KubernetesClient admin, String namespace, Permission without) {
    ServiceAccount account = one(ServiceAccount.class);
    account.getMetadata().setNamespace(namespace);
    admin.resource(account).create();

    String clusterName = SERVICE_ACCOUNT + "-" + namespace;
    ClusterRole clusterRole = one(ClusterRole.class);
    clusterRole.getMetadata().setName(clusterName);
    clusterRole.setRules(without(clusterRole.getRules(), CLUSTER_ROLE, without));
    ClusterRoleBinding clusterBinding = one(ClusterRoleBinding.class);
    clusterBinding.getMetadata().setName(clusterName);
    clusterBinding.getRoleRef().setName(clusterName);
    clusterBinding.getSubjects().forEach(s -> moveSubject(s, namespace));

    Role role = one(Role.class);
    role.getMetadata().setNamespace(namespace);
    role.setRules(without(role.getRules(), ROLE, without));
    RoleBinding roleBinding = one(RoleBinding.class);
    roleBinding.getMetadata().setNamespace(namespace);
    roleBinding.getSubjects().forEach(s -> moveSubject(s, namespace));

    OperatorAccount installed = new OperatorAccount(admin, namespace, clusterRole, clusterBinding);
    admin.resource(clusterRole).create();
    admin.resource(clusterBinding).create();
    admin.resource(role).create();
    admin.resource(roleBinding).create();
    return installed;
  }

  private static void moveSubject(Subject subject, String namespace) {
    if ("ServiceAccount".equals(subject.getKind())) {
      subject.setNamespace(namespace);
    }
  }

  /** The namespace of the ServiceAccount, the Role and its binding. */
  public String namespace() {
    return namespace;
  }

  /** The installed ClusterRole's rules. */
  public List<PolicyRule> clusterRules() {
    return clusterRole.getRules();
  }

  /** A fresh token of the ServiceAccount (TokenRequest API, one hour). */
  public String token() {
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(SERVICE_ACCOUNT)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }

  /**
   * A client configuration with the API server's address and CA and the ServiceAccount's token,
   * nothing else: no client certificate, no kubeconfig or environment read.
   */
  public Config config() {
    Config adminConfig = admin.getConfiguration();
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(adminConfig.getMasterUrl())
        .withCaCertFile(adminConfig.getCaCertFile())
        .withCaCertData(adminConfig.getCaCertData())
        .withOauthToken(token())
        .withNamespace(namespace)
        .build();
  }

  /** A client with only the ServiceAccount's token, its requests recorded into {@code calls}. */
  public KubernetesClient client(ApiCalls calls) {
    Config config = config();
    if (config.getClientCertFile() != null || config.getClientCertData() != null) {
      fail("the ServiceAccount's client carries a client certificate");
    }
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(config);
    return (calls == null ? builder : calls.install(builder)).build();
  }

  /** A kubeconfig with the ServiceAccount's token, for a process of its own. */
  public Path kubeconfig(Path file) {
    Config config = config();
    Map<String, Object> cluster =
        Optional.ofNullable(config.getCaCertFile())
            .<Map<String, Object>>map(
                ca -> Map.of("server", config.getMasterUrl(), "certificate-authority", ca))
            .orElseGet(
                () ->
                    Map.of(
                        "server",
                        config.getMasterUrl(),
                        "certificate-authority-data",
                        config.getCaCertData()));
    Map<String, Object> kubeconfig =
        Map.of(
            "apiVersion",
            "v1",
            "kind",
            "Config",
            "clusters",
            List.of(Map.of("name", "test", "cluster", cluster)),
            "users",
            List.of(
                Map.of("name", SERVICE_ACCOUNT, "user", Map.of("token", config.getOauthToken()))),
            "contexts",
            List.of(
                Map.of(
                    "name",
                    "test",
                    "context",
                    Map.of("cluster", "test", "user", SERVICE_ACCOUNT, "namespace", namespace))),
            "current-context",
            "test");
    try {
      Files.writeString(file, Serialization.asYaml(kubeconfig));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes the cluster-scoped ClusterRole and binding; the namespaced objects go with their
   * namespace.
   */
  @Override
  public void close() {
    admin.resource(clusterRoleBinding).delete();
    admin.resource(clusterRole).delete();
  }
}
