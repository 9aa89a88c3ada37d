package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceDesiredState;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The ModelServer's Service, built by {@link ServiceDesiredState}.
 *
 * <p>Server-side apply merges Service ports by (port, protocol). A port of ours that someone
 * renumbered by hand ({@code kubectl edit}) is therefore another port to it, kept beside the one
 * the operator applies; the two share a name, and the API server refuses the apply ("Duplicate
 * value"), so the Service would never be restored. Such a port is removed first.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class ServiceDependent extends ModelServerDependent<Service> {

  public ServiceDependent() {
    super(Service.class);
  }

  @Override
  Service build(ModelServer primary, ResolvedSpec spec) {
    return ServiceDesiredState.build(primary, spec);
  }

  @Override
  public Service update(
      Service actual, Service desired, ModelServer primary, Context<ModelServer> context) {
    if (!renumberedPorts(actual, desired).isEmpty()) {
      context
          .getClient()
          .resource(actual)
          .edit(
              live -> {
                live.getSpec().getPorts().removeAll(renumberedPorts(live, desired));
                return live;
              });
    }
    return super.update(actual, desired, primary, context);
  }

  /** Ports of {@code actual} named like a desired port but with another port number or protocol. */
  static List<ServicePort> renumberedPorts(Service actual, Service desired) {
    List<ServicePort> wanted = ports(desired);
    return ports(actual).stream()
        .filter(
            port ->
                wanted.stream()
                    .anyMatch(
                        w ->
                            Objects.equals(w.getName(), port.getName())
                                && !(Objects.equals(w.getPort(), port.getPort())
                                    && Objects.equals(protocol(w), protocol(port)))))
        .toList();
  }

  private static List<ServicePort> ports(Service service) {
    return Optional.ofNullable(service.getSpec()).map(spec -> spec.getPorts()).orElse(List.of());
  }

  private static String protocol(ServicePort port) {
    return Optional.ofNullable(port.getProtocol()).orElse("TCP");
  }
}
