package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** Builds the Service {@code NAME}: port http to 8080 and metrics to 9090. */
public final class ServiceDesiredState {

  private ServiceDesiredState() {}

  public static Service build(ModelServer owner, ResolvedSpec spec) {
    return new ServiceBuilder()
        .withMetadata(Owners.childMetadata(owner, spec, spec.name()))
        .withNewSpec()
        .withType(spec.serviceType().name())
        .withSelector(ChildLabels.selector(spec.name()))
        .addNewPort()
        .withName(ServerPorts.HTTP)
        .withProtocol("TCP")
        .withPort(spec.servicePort())
        .withTargetPort(new IntOrString(ServerPorts.HTTP))
        .endPort()
        .addNewPort()
        .withName(ServerPorts.METRICS)
        .withProtocol("TCP")
        .withPort(ServerPorts.METRICS_PORT)
        .withTargetPort(new IntOrString(ServerPorts.METRICS))
        .endPort()
        .endSpec()
        .build();
  }

  /** The in-cluster URL users call; port omitted when it is 80. */
  public static String url(ResolvedSpec spec) {
    String host = spec.name() + "." + spec.namespace() + ".svc.cluster.local";
    return spec.servicePort() == 80
        ? "http://" + host
        : "http://" + host + ":" + spec.servicePort();
  }
}
