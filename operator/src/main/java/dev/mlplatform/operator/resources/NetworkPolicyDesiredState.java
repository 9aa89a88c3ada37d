package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the networking.k8s.io/v1 NetworkPolicy {@code NAME}. It selects the ModelServer's pods and
 * lists Ingress as a policy type, so every ingress it does not allow is denied: the HTTP port from
 * the allowed namespaces, the metrics port from the metrics namespaces. Egress stays open. Ports
 * are numbers, not names, because some CNI plugins ignore named ports in policies; the kubelet's
 * probes come from the node, which NetworkPolicies always admit.
 */
public final class NetworkPolicyDesiredState {

  private NetworkPolicyDesiredState() {}

  public static NetworkPolicy build(ModelServer owner, ResolvedSpec spec) {
    ResolvedSpec.NetworkAccess access = spec.networkPolicy();
    List<NetworkPolicyPeer> clients = new ArrayList<>();
    for (String namespace : access.allowedNamespaces()) {
      clients.add(peer(namespaceNamed(namespace)));
    }
    for (LabelSelector selector : access.allowedNamespaceSelectors()) {
      clients.add(peer(selector));
    }
    return new NetworkPolicyBuilder()
        .withMetadata(Owners.childMetadata(owner, spec, spec.name()))
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(ChildLabels.selector(spec.name()))
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .withIngress(
            rule(clients, ServerPorts.HTTP_PORT),
            rule(List.of(peer(access.metricsNamespaceSelector())), ServerPorts.METRICS_PORT))
        .endSpec()
        .build();
  }

  private static NetworkPolicyIngressRule rule(List<NetworkPolicyPeer> from, int port) {
    return new NetworkPolicyIngressRuleBuilder()
        .withFrom(from)
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(port))
        .endPort()
        .build();
  }

  private static NetworkPolicyPeer peer(LabelSelector namespaceSelector) {
    return new NetworkPolicyPeerBuilder().withNamespaceSelector(namespaceSelector).build();
  }

  private static LabelSelector namespaceNamed(String namespace) {
    return new LabelSelectorBuilder()
        .addToMatchLabels(NetworkPolicySpec.NAMESPACE_NAME_LABEL, namespace)
        .build();
  }
}
