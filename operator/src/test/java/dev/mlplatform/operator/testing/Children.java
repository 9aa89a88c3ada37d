package dev.mlplatform.operator.testing;

import dev.mlplatform.operator.Golden;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ChildLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A ModelServer's children as the API server has them, and helpers the real-cluster tests share.
 */
public final class Children {

  private Children() {}

  /** The always-present five: ConfigMap, Deployment, Service, HPA, PDB; those that exist. */
  public static List<HasMetadata> of(KubernetesClient client, String namespace, String name) {
    return Stream.<HasMetadata>of(
            client.configMaps().inNamespace(namespace).withName(name + "-config").get(),
            client.apps().deployments().inNamespace(namespace).withName(name).get(),
            client.services().inNamespace(namespace).withName(name).get(),
            client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(namespace)
                .withName(name)
                .get(),
            client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name).get())
        .filter(Objects::nonNull)
        .toList();
  }

  /** The five and the optional NetworkPolicy, those that exist. */
  public static List<HasMetadata> all(KubernetesClient client, String namespace, String name) {
    List<HasMetadata> all = new ArrayList<>(of(client, namespace, name));
    Optional.ofNullable(
            client.network().networkPolicies().inNamespace(namespace).withName(name).get())
        .ifPresent(all::add);
    return all;
  }

  /** What the pods of the ModelServer {@code name} carry: its instance label. */
  public static Map<String, String> podSelector(String name) {
    return Map.of(ChildLabels.INSTANCE, name);
  }

  /** The smallest valid ModelServer (model id only), as a user creates it. */
  public static ModelServer minimal(String name, String namespace) {
    ModelServer server = TestModelServers.minimal(name, namespace);
    // no uid or generation: the API server assigns them
    server.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    return server;
  }

  /** A ModelServer from examples/, moved into {@code namespace}. */
  public static ModelServer example(String file, String namespace) {
    try {
      ModelServer server =
          Serialization.unmarshal(
              Files.readString(Golden.repoRoot().resolve("examples").resolve(file)),
              ModelServer.class);
      server.getMetadata().setNamespace(namespace);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The managedFields entries of {@code manager}. */
  public static List<ManagedFieldsEntry> managedBy(HasMetadata object, String manager) {
    return object.getMetadata().getManagedFields().stream()
        .filter(e -> manager.equals(e.getManager()))
        .toList();
  }

  /** The fields an entry owns, as the API server's fieldsV1 JSON. */
  public static String fields(ManagedFieldsEntry entry) {
    return entry.getFieldsV1() == null
        ? "{}"
        : Serialization.asJson(entry.getFieldsV1().getAdditionalProperties());
  }
}
