package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata shared by all children: name, namespace, labels and the controller owner reference. */
final class Owners {

  private Owners() {}

  static OwnerReference controllerReference(ModelServer owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static ObjectMeta childMetadata(ModelServer owner, ResolvedSpec spec, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(spec.namespace())
        .withLabels(ChildLabels.of(spec))
        .withOwnerReferences(controllerReference(owner))
        .build();
  }
}
