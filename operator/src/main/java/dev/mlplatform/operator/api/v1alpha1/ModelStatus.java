package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The model a pod downloaded, as its fetch-model init container reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelStatus {

  @JsonPropertyDescription("The model source fetched, e.g. hf://BAAI/bge-small-en-v1.5@main.")
  private String source;

  @JsonPropertyDescription(
      "The Hub commit the revision resolved to; the pods' cache keeps serving it.")
  private String revision;

  @JsonPropertyDescription("Size of the model's files in bytes.")
  private Long bytes;

  @JsonPropertyDescription("SHA-256 of the weights file.")
  private String sha256;

  public ModelStatus() {}

  public ModelStatus(String source, String revision, Long bytes, String sha256) {
    this.source = source;
    this.revision = revision;
    this.bytes = bytes;
    this.sha256 = sha256;
  }

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public Long getBytes() {
    return bytes;
  }

  public void setBytes(Long bytes) {
    this.bytes = bytes;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelStatus that
        && Objects.equals(source, that.source)
        && Objects.equals(revision, that.revision)
        && Objects.equals(bytes, that.bytes)
        && Objects.equals(sha256, that.sha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, revision, bytes, sha256);
  }
}
