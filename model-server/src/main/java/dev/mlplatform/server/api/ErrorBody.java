package dev.mlplatform.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The JSON of every error: {@code {"error": {"message", "type", "code", "param"}}}, as OpenAI. */
public record ErrorBody(Detail error) {

  /** {@code param} names the offending field, and is left out when no single field is to blame. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Detail(String message, String type, String code, String param) {}

  static ErrorBody of(ApiException e) {
    return new ErrorBody(new Detail(e.getMessage(), e.type(), e.code(), e.param()));
  }
}
