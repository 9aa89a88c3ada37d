package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelServerStatus {

  /** The spec generation this status describes. */
  @JsonPropertyDescription("The metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  /** Ready, Progressing, Degraded, MonitoringReady and ModelReady conditions. */
  @JsonPropertyDescription(
      "Conditions of type Ready, Progressing and Degraded, MonitoringReady while spec.monitoring"
          + " is enabled, and ModelReady while the model is downloaded (hf://, an archive URL),"
          + " each True, False or Unknown with a reason and message.")
  private List<Condition> conditions = new ArrayList<>();

  /** Pods of the Deployment. */
  @JsonPropertyDescription("Pods the Deployment currently runs (status.replicas).")
  private Integer replicas;

  /** Ready pods of the Deployment. */
  @JsonPropertyDescription("Pods of the Deployment that pass their readiness probe.")
  private Integer readyReplicas;

  /** What the HPA wants. */
  @JsonPropertyDescription("Replica count the HorizontalPodAutoscaler currently asks for.")
  private Integer desiredReplicas;

  /** readyReplicas/replicas, for kubectl's READY column. */
  @JsonPropertyDescription("readyReplicas/replicas, shown in kubectl's READY column.")
  private String ready;

  /** In-cluster URL of the Service. */
  @JsonPropertyDescription(
      "In-cluster URL of the Service, http://NAME.NAMESPACE.svc.cluster.local.")
  private String url;

  /** The downloaded model. */
  @JsonPropertyDescription(
      "The model the pods downloaded (hf:// or an archive URL): source, resolved revision, size"
          + " and weights digest, from the fetch-model init container.")
  private ModelStatus model;

  public ModelStatus getModel() {
    return model;
  }

  public void setModel(ModelStatus model) {
    this.model = model;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Integer getDesiredReplicas() {
    return desiredReplicas;
  }

  public void setDesiredReplicas(Integer desiredReplicas) {
    this.desiredReplicas = desiredReplicas;
  }

  public String getReady() {
    return ready;
  }

  public void setReady(String ready) {
    this.ready = ready;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ModelServerStatus that)) {
      return false;
    }
    return Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(conditions, that.conditions)
        && Objects.equals(replicas, that.replicas)
        && Objects.equals(readyReplicas, that.readyReplicas)
        && Objects.equals(desiredReplicas, that.desiredReplicas)
        && Objects.equals(ready, that.ready)
        && Objects.equals(url, that.url)
        && Objects.equals(model, that.model);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        conditions,
        replicas,
        readyReplicas,
        desiredReplicas,
        ready,
        url,
        model);
  }
}
