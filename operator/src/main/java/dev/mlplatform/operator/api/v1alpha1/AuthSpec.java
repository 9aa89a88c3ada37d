package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Client authentication of the model server's API routes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthSpec {

  /** The API key's Secret. */
  @JsonPropertyDescription(
      "Secret key holding the API key (16+ characters) clients must send as 'Authorization: Bearer"
          + " KEY'. The pod reads it from the Secret; it never enters the ConfigMap. Health and"
          + " metrics stay open. Unset: no authentication.")
  private SecretKeyRef apiKeySecretRef;

  public SecretKeyRef getApiKeySecretRef() {
    return apiKeySecretRef;
  }

  public void setApiKeySecretRef(SecretKeyRef apiKeySecretRef) {
    this.apiKeySecretRef = apiKeySecretRef;
  }
}
