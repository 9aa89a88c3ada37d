package dev.mlplatform.operator.resources;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The Prometheus Operator's {@code monitoring.coreos.com/v1} ServiceMonitor: a generic resource
 * (its content is plain maps; no Prometheus Operator model is needed for the few fields used) whose
 * class names its group, version, kind and plural. With those annotations neither fabric8 nor JOSDK
 * has to ask API discovery where the kind lives: JOSDK builds the informer of a dependent even
 * while its activation condition is false (to know what to stop), and a {@code
 * GenericKubernetesResource} addressed by apiVersion and kind alone fails there when the CRD is
 * missing.
 */
@Group(ServiceMonitor.GROUP)
@Version(ServiceMonitor.VERSION)
@Kind(ServiceMonitor.KIND)
@Plural(ServiceMonitor.PLURAL)
public class ServiceMonitor extends GenericKubernetesResource implements Namespaced {

  public static final String GROUP = "monitoring.coreos.com";
  public static final String VERSION = "v1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "ServiceMonitor";
  public static final String PLURAL = "servicemonitors";

  /** The CRD the Prometheus Operator installs for it. */
  public static final String CRD_NAME = PLURAL + "." + GROUP;

  public ServiceMonitor() {
    setApiVersion(API_VERSION);
    setKind(KIND);
  }
}
