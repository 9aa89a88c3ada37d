package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mlplatform.contract.ServerSettings;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Map;

/**
 * What the user asks for. Absent fields mean "use the documented default". Every object whose
 * fields have schema defaults is itself defaulted to {@code {}}, so that the API server fills in
 * those defaults when the user leaves the whole object out (it defaults only inside objects that
 * exist). The operator resolves the same defaults itself ({@code ResolvedSpec}) and never writes
 * them back.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelServerSpec {

  /** The model to serve. */
  @Required
  @JsonPropertyDescription("The model to serve: id, source, engine and tokenizer settings.")
  private ModelSpec model;

  /** Container image of the model server; the operator's DEFAULT_SERVER_IMAGE when absent. */
  @Pattern("^\\S+$")
  @JsonPropertyDescription(
      "Container image of the model server. Default: the operator's DEFAULT_SERVER_IMAGE.")
  private String image;

  /** Autoscaling bounds. */
  @Default("{}")
  @JsonPropertyDescription(
      "Autoscaling bounds: the HPA keeps the replica count within [min, max]. Default: min 1,"
          + " max 5.")
  private ReplicasSpec replicas;

  /** Compute resources of the model-server container. */
  @JsonPropertyDescription(
      "Compute resources of the model-server container. Default: requests cpu 1, memory 1Gi;"
          + " limits memory 2Gi.")
  private ResourceRequirements resources;

  /** Horizontal Pod Autoscaler signal, targets and behaviour. */
  @Default("{}")
  @JsonPropertyDescription(
      "Horizontal Pod Autoscaler: the metric it scales on (cpu, queue or concurrency), its"
          + " target, stabilization windows and scaling policies.")
  private AutoscalingSpec autoscaling;

  /** Dynamic batching limits. */
  @Default("{}")
  @JsonPropertyDescription("Dynamic batching limits of the model server's inference queue.")
  private BatchingSpec batching;

  /** PodDisruptionBudget. */
  @JsonPropertyDescription(
      "PodDisruptionBudget. Default: maxUnavailable 1, which never blocks a node drain.")
  private DisruptionBudgetSpec disruptionBudget;

  /**
   * Extra model server settings. The CRD refuses keys the server does not read; the operator
   * refuses (Degraded/InvalidSpec) a key it sets itself and a value the server would refuse, both
   * by the contract's {@link ServerSettings}.
   */
  @Size(max = ServerSettings.MAX_KEYS)
  @ValidationRule(
      value = ServerSettings.KNOWN_KEYS_RULE,
      message = ServerSettings.KNOWN_KEYS_MESSAGE)
  @JsonPropertyDescription(
      "Extra model server settings (environment variables in its ConfigMap): MAX_BATCH_TOKENS,"
          + " MAX_INPUTS_PER_REQUEST (at most the queue size), MAX_REQUEST_BYTES,"
          + " INFERENCE_WORKERS, INFERENCE_THREADS, SHUTDOWN_DRAIN_SECONDS,"
          + " MAX_CONNECTION_AGE_SECONDS, LOG_FORMAT, HF_ENDPOINT, JAVA_OPTS. A key the operator sets from a field (e.g. MAX_BATCH_SIZE"
          + " from spec.batching.maxBatchSize, API_KEY from spec.auth.apiKeySecretRef) or a value"
          + " the server would refuse makes the ModelServer Degraded with reason InvalidSpec,"
          + " naming the key, the value and the limit.")
  private Map<String, String> config;

  /** Pod placement and metadata. */
  @JsonPropertyDescription("Pod metadata and placement: annotations, labels, scheduling.")
  private PodSpecOverrides pod;

  /** Client authentication. */
  @JsonPropertyDescription("Client authentication of the API routes: an API key from a Secret.")
  private AuthSpec auth;

  /** The Service in front of the pods. */
  @Default("{}")
  @JsonPropertyDescription("The Service in front of the model server pods.")
  private ServiceSpec service;

  /** Prometheus Operator scraping. */
  @Default("{}")
  @JsonPropertyDescription(
      "Scraping by a Prometheus Operator: a ServiceMonitor for the Service's metrics port, where"
          + " the cluster serves the monitoring.coreos.com/v1 ServiceMonitor API. On by default.")
  private MonitoringSpec monitoring;

  /** Ingress restrictions. */
  @Default("{}")
  @JsonPropertyDescription(
      "An optional NetworkPolicy that admits only the listed namespaces to the pods. Off by"
          + " default.")
  private NetworkPolicySpec networkPolicy;

  public ModelSpec getModel() {
    return model;
  }

  public void setModel(ModelSpec model) {
    this.model = model;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ReplicasSpec getReplicas() {
    return replicas;
  }

  public void setReplicas(ReplicasSpec replicas) {
    this.replicas = replicas;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public AutoscalingSpec getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingSpec autoscaling) {
    this.autoscaling = autoscaling;
  }

  public BatchingSpec getBatching() {
    return batching;
  }

  public void setBatching(BatchingSpec batching) {
    this.batching = batching;
  }

  public DisruptionBudgetSpec getDisruptionBudget() {
    return disruptionBudget;
  }

  public void setDisruptionBudget(DisruptionBudgetSpec disruptionBudget) {
    this.disruptionBudget = disruptionBudget;
  }

  public Map<String, String> getConfig() {
    return config;
  }

  public void setConfig(Map<String, String> config) {
    this.config = config;
  }

  public PodSpecOverrides getPod() {
    return pod;
  }

  public void setPod(PodSpecOverrides pod) {
    this.pod = pod;
  }

  public ServiceSpec getService() {
    return service;
  }

  public void setService(ServiceSpec service) {
    this.service = service;
  }

  public AuthSpec getAuth() {
    return auth;
  }

  public void setAuth(AuthSpec auth) {
    this.auth = auth;
  }

  public MonitoringSpec getMonitoring() {
    return monitoring;
  }

  public void setMonitoring(MonitoringSpec monitoring) {
    this.monitoring = monitoring;
  }

  public NetworkPolicySpec getNetworkPolicy() {
    return networkPolicy;
  }

  public void setNetworkPolicy(NetworkPolicySpec networkPolicy) {
    this.networkPolicy = networkPolicy;
  }
}
