package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The Service in front of the model server pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {

  public static final ServiceType DEFAULT_TYPE = ServiceType.ClusterIP;
  public static final int DEFAULT_PORT = 80;

  /** Service type. */
  @Default("ClusterIP")
  @JsonPropertyDescription("Service type: ClusterIP, NodePort or LoadBalancer. Default ClusterIP.")
  private ServiceType type;

  /** Port of the http Service port. */
  @Min(1)
  @Max(65535)
  @Default("80")
  @JsonPropertyDescription(
      "Service port that forwards to the server's http port 8080. 1..65535, default 80.")
  private Integer port;

  public ServiceType getType() {
    return type;
  }

  public void setType(ServiceType type) {
    this.type = type;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }
}
