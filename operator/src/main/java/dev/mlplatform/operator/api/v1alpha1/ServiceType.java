package dev.mlplatform.operator.api.v1alpha1;

/** Service types a ModelServer may ask for. */
public enum ServiceType {
  ClusterIP,
  NodePort,
  LoadBalancer
}
