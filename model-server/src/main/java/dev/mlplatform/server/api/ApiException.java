package dev.mlplatform.server.api;

/**
 * A request the server refuses, with everything the JSON error body and the rejection metric need.
 *
 * @see ErrorResponder
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final Integer retryAfterSeconds;

  private ApiException(
      int status, String type, String code, String param, String message, Integer retryAfter) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfter;
  }

  /** 400: the body is not the JSON it should be. */
  public static ApiException malformed(String code, String message) {
    return new ApiException(400, "invalid_request_error", code, null, message, null);
  }

  /** 422: the JSON is well formed but a field's value is wrong. */
  public static ApiException invalidField(String param, String code, String message) {
    return new ApiException(422, "invalid_request_error", code, param, message, null);
  }

  /** 413: the body, the input count or an input's length is over a limit. */
  public static ApiException tooLarge(String param, String code, String message) {
    return new ApiException(413, "invalid_request_error", code, param, message, null);
  }

  /** 401: an API key is required and was missing or wrong. */
  /** The client stopped sending its body. */
  public static ApiException requestTimeout(String message) {
    return new ApiException(408, "invalid_request_error", "request_timeout", null, message, null);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "authentication_error", "invalid_api_key", null, message, null);
  }

  public static ApiException notFound(String param, String code, String message) {
    return new ApiException(404, "invalid_request_error", code, param, message, null);
  }

  /** 429: no room in the queue; the client should come back after {@code retryAfter} seconds. */
  public static ApiException overloaded(String message, int retryAfter) {
    return new ApiException(429, "overloaded_error", "queue_full", null, message, retryAfter);
  }

  /** 503: not ready yet, or shutting down. */
  public static ApiException unavailable(String code, String message) {
    return new ApiException(503, "unavailable_error", code, null, message, null);
  }

  public static ApiException internal(String message) {
    return new ApiException(500, "server_error", "internal_error", null, message, null);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
