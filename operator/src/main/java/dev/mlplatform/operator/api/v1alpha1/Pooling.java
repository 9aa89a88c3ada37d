package dev.mlplatform.operator.api.v1alpha1;

/** How token vectors are pooled into one sentence embedding. */
public enum Pooling {
  mean,
  cls
}
