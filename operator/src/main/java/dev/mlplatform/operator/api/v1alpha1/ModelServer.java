package dev.mlplatform.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A sentence-embedding inference service: one model, served by an autoscaled Deployment. */
@Group(ModelServer.GROUP)
@Version(ModelServer.VERSION)
@Plural("modelservers")
@Singular("modelserver")
@ShortNames("msrv")
@Categories("mlplatform")
@AdditionalPrinterColumn(
    name = "MODEL",
    jsonPath = ".spec.model.id",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.ready",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "MIN",
    jsonPath = ".spec.replicas.min",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "MAX",
    jsonPath = ".spec.replicas.max",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "STATUS",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ModelServer extends CustomResource<ModelServerSpec, ModelServerStatus>
    implements Namespaced {

  public static final String GROUP = "serving.mlplatform.dev";
  public static final String VERSION = "v1alpha1";
}
