package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/**
 * A child of a ModelServer: desired state comes from one pure builder; JOSDK applies it with
 * server-side apply, reverts drift and recreates it when deleted. Creations, updates and the
 * deletions of optional children (a reconcile precondition turned false) are noted for the
 * reconciler's Event and counted.
 */
abstract class ModelServerDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, ModelServer> {

  /** Only children of this operator are cached, not every object of the kind in the cluster. */
  static final String MANAGED_SELECTOR = "app.kubernetes.io/managed-by=mlplatform-operator";

  ModelServerDependent(Class<R> type) {
    super(type);
  }

  abstract R build(ModelServer primary, ResolvedSpec spec);

  @Override
  protected R desired(ModelServer primary, Context<ModelServer> context) {
    return build(primary, inputs(context).spec());
  }

  @Override
  protected R handleCreate(R desired, ModelServer primary, Context<ModelServer> context) {
    R created = super.handleCreate(desired, primary, context);
    written(context, desired, ChildWrite.Operation.CREATED);
    return created;
  }

  @Override
  protected R handleUpdate(R actual, R desired, ModelServer primary, Context<ModelServer> context) {
    R updated = super.handleUpdate(actual, desired, primary, context);
    written(context, desired, ChildWrite.Operation.UPDATED);
    return updated;
  }

  @Override
  protected void handleDelete(ModelServer primary, R secondary, Context<ModelServer> context) {
    super.handleDelete(primary, secondary, context);
    if (secondary != null) {
      written(context, secondary, ChildWrite.Operation.DELETED);
    }
  }

  private void written(Context<ModelServer> context, R child, ChildWrite.Operation operation) {
    ReconcileInputs inputs = inputs(context);
    ChildWrite write = new ChildWrite(operation, child.getKind(), child.getMetadata().getName());
    inputs.metrics().childWritten(write);
    inputs.writes().add(write);
  }

  static ReconcileInputs inputs(Context<ModelServer> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(ReconcileInputs.class, ReconcileInputs.class);
  }
}
