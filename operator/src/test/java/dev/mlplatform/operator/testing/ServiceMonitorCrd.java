package dev.mlplatform.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * The Prometheus Operator's ServiceMonitor API on the real API server tier: a minimal CRD (any spec
 * preserved) stands in for the Prometheus Operator's, installed and removed as a cluster admin
 * would, each step awaited in API discovery, which is what the operator asks. Whether the API is
 * served is a property of the whole cluster: a test that installs it removes it, since the other
 * classes of the tier share the control plane and expect no ServiceMonitor API.
 */
public final class ServiceMonitorCrd {

  public static final String NAME = "servicemonitors.monitoring.coreos.com";
  public static final String API = "monitoring.coreos.com/v1";

  private ServiceMonitorCrd() {}

  public static void install(KubernetesClient admin) {
    admin
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(NAME)
                .endMetadata()
                .withNewSpec()
                .withGroup("monitoring.coreos.com")
                .withScope("Namespaced")
                .withNewNames()
                .withKind("ServiceMonitor")
                .withListKind("ServiceMonitorList")
                .withPlural("servicemonitors")
                .withSingular("servicemonitor")
                .endNames()
                .addNewVersion()
                .withName("v1")
                .withServed(true)
                .withStorage(true)
                .withNewSchema()
                .withNewOpenAPIV3Schema()
                .withType("object")
                .withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema()
                .endSchema()
                .endVersion()
                .endSpec()
                .build())
        .create();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> served(admin));
  }

  /** Removes the CRD (and with it every ServiceMonitor) if it is there, and awaits discovery. */
  public static void remove(KubernetesClient admin) {
    admin.apiextensions().v1().customResourceDefinitions().withName(NAME).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () ->
                admin.apiextensions().v1().customResourceDefinitions().withName(NAME).get() == null
                    && !served(admin));
  }

  public static boolean served(KubernetesClient client) {
    APIResourceList resources = client.getApiResources(API);
    return resources != null
        && resources.getResources().stream()
            .map(APIResource::getName)
            .anyMatch("servicemonitors"::equals);
  }
}
