package dev.mlplatform.operator;

import dev.mlplatform.operator.api.v1alpha1.AutoscalingSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.DisruptionBudgetSpec;
import dev.mlplatform.operator.api.v1alpha1.Engine;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelSpec;
import dev.mlplatform.operator.api.v1alpha1.MonitoringSpec;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.api.v1alpha1.PodSpecOverrides;
import dev.mlplatform.operator.api.v1alpha1.Pooling;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.api.v1alpha1.ServiceSpec;
import dev.mlplatform.operator.api.v1alpha1.ServiceType;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;

/** ModelServers used across tests. */
public final class TestModelServers {

  public static final String DEFAULT_IMAGE = "ghcr.io/mlplatform/model-server:0.1.0";

  private TestModelServers() {}

  /** Only what the CRD requires: the model id. */
  public static ModelServer minimal(String name, String namespace) {
    ModelServer server = new ModelServer();
    server.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(namespace)
            .withUid("5f2b3c1e-0000-4000-8000-" + String.format("%012d", Math.abs(name.hashCode())))
            .withGeneration(1L)
            .build());
    ModelServerSpec spec = new ModelServerSpec();
    ModelSpec model = new ModelSpec();
    model.setId("sentence-transformers/all-MiniLM-L6-v2");
    spec.setModel(model);
    server.setSpec(spec);
    return server;
  }

  /** Every field set to a non-default value. */
  public static ModelServer full(String name, String namespace) {
    ModelServer server = minimal(name, namespace);
    ModelServerSpec spec = server.getSpec();
    spec.getModel().setUri("bundled:all-minilm-l6-v2");
    spec.getModel().setEngine(Engine.OnnxRuntime);
    spec.getModel().setMaxSequenceLength(128);
    spec.getModel().setNormalize(false);
    spec.getModel().setPooling(Pooling.cls);
    spec.setImage("registry.example.com/model-server:1.2.3");
    spec.setReplicas(new ReplicasSpec(2, 8));
    spec.setResources(
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("2"))
            .addToRequests("memory", new Quantity("2Gi"))
            .addToLimits("memory", new Quantity("3Gi"))
            .build());
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setTargetCPUUtilizationPercentage(60);
    autoscaling.setTargetMemoryUtilizationPercentage(80);
    autoscaling.setScaleDownStabilizationSeconds(120);
    spec.setAutoscaling(autoscaling);
    BatchingSpec batching = new BatchingSpec();
    batching.setMaxBatchSize(64);
    batching.setMaxBatchDelayMillis(10);
    batching.setMaxQueueSize(2048);
    spec.setBatching(batching);
    DisruptionBudgetSpec pdb = new DisruptionBudgetSpec();
    pdb.setMinAvailable(1);
    spec.setDisruptionBudget(pdb);
    spec.setConfig(Map.of("LOG_FORMAT", "json", "SHUTDOWN_DRAIN_SECONDS", "20"));
    PodSpecOverrides pod = new PodSpecOverrides();
    pod.setAnnotations(Map.of("prometheus.io/scrape", "true"));
    pod.setLabels(Map.of("team", "search"));
    pod.setNodeSelector(Map.of("node.kubernetes.io/instance-type", "c6i.xlarge"));
    pod.setTolerations(
        List.of(
            new TolerationBuilder()
                .withKey("dedicated")
                .withOperator("Equal")
                .withValue("inference")
                .withEffect("NoSchedule")
                .build()));
    pod.setServiceAccountName("embeddings");
    pod.setPriorityClassName("high");
    spec.setPod(pod);
    ServiceSpec service = new ServiceSpec();
    service.setType(ServiceType.LoadBalancer);
    service.setPort(8000);
    spec.setService(service);
    MonitoringSpec monitoring = new MonitoringSpec();
    monitoring.setEnabled(true);
    monitoring.setInterval("15s");
    monitoring.setLabels(Map.of("release", "kube-prometheus-stack"));
    spec.setMonitoring(monitoring);
    NetworkPolicySpec networkPolicy = new NetworkPolicySpec();
    networkPolicy.setEnabled(true);
    networkPolicy.setAllowedNamespaces(List.of("search", "search-frontend"));
    networkPolicy.setAllowedNamespaceSelectors(
        List.of(
            new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey("mlplatform.dev/embeddings-client")
                .withOperator("In")
                .withValues("true")
                .endMatchExpression()
                .build()));
    networkPolicy.setMetricsNamespaceSelector(
        new LabelSelectorBuilder()
            .addToMatchLabels("kubernetes.io/metadata.name", "observability")
            .build());
    spec.setNetworkPolicy(networkPolicy);
    return server;
  }
}
