/**
 * The {@code serving.mlplatform.dev/v1alpha1} API: the {@code ModelServer} custom resource, its
 * spec and its status. Nothing else lives here; the CRD is generated from these classes.
 */
package dev.mlplatform.operator.api.v1alpha1;
