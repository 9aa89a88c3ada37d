package dev.mlplatform.server.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Reads request bodies within the size limit and pulls typed fields out of them, with errors that
 * name the field and the rule. The Content-Type is not checked: {@code curl -d} sends form
 * encoding.
 */
final class JsonRequests {
  private final ObjectMapper mapper;
  private final long maxRequestBytes;
  private final int maxInputs;

  JsonRequests(ObjectMapper mapper, long maxRequestBytes, int maxInputs) {
    this.mapper = mapper;
    this.maxRequestBytes = maxRequestBytes;
    this.maxInputs = maxInputs;
  }

  ObjectNode body(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxRequestBytes) {
      throw bodyTooLarge(declared);
    }
    byte[] bytes;
    try (InputStream in = ctx.req().getInputStream()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
    } catch (IOException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw ApiException.requestTimeout(
            "the request body stopped arriving: no byte for "
                + HttpApi.BLOCKING_IO_TIMEOUT.toSeconds()
                + " s");
      }
      throw ApiException.malformed(
          "unreadable_body", "could not read the request body: " + e.getMessage());
    }
    if (bytes.length > maxRequestBytes) {
      throw bodyTooLarge(bytes.length);
    }
    if (bytes.length == 0) {
      throw ApiException.malformed("empty_body", "the request body is empty; send a JSON object");
    }
    JsonNode node;
    try {
      node = mapper.readTree(bytes);
    } catch (JacksonException e) {
      throw ApiException.malformed(
          "invalid_json", "the request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.malformed(
          "invalid_json", "the request body is not valid JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.malformed(
          "invalid_json", "the request body must be a JSON object, got " + kind(node));
    }
    return (ObjectNode) node;
  }

  private ApiException bodyTooLarge(long size) {
    return ApiException.tooLarge(
        null,
        "body_too_large",
        "the request body has "
            + (size >= 0 ? size + " bytes" : "more bytes")
            + "; the limit is "
            + maxRequestBytes
            + " bytes (MAX_REQUEST_BYTES)");
  }

  /**
   * A field holding one string or an array of strings.
   *
   * @param allowSingle whether a bare string is accepted as a one-element list
   */
  List<String> texts(JsonNode body, String field, boolean allowSingle) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw ApiException.invalidField(field, "missing_field", "'" + field + "' is required");
    }
    if (value.isTextual() && allowSingle) {
      return List.of(value.textValue());
    }
    if (!value.isArray()) {
      throw ApiException.invalidField(
          field,
          "invalid_type",
          "'"
              + field
              + "' must be "
              + (allowSingle ? "a string or " : "")
              + "an array of strings, got "
              + kind(value));
    }
    if (value.isEmpty()) {
      throw ApiException.invalidField(field, "empty_input", "'" + field + "' must not be empty");
    }
    if (value.size() > maxInputs) {
      throw ApiException.tooLarge(
          field,
          "too_many_inputs",
          "'"
              + field
              + "' has "
              + value.size()
              + " items; the limit is "
              + maxInputs
              + " (MAX_INPUTS_PER_REQUEST)");
    }
    List<String> texts = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isTextual()) {
        throw ApiException.invalidField(
            field + "[" + i + "]",
            "invalid_type",
            "'" + field + "[" + i + "]' must be a string, got " + kind(item));
      }
      texts.add(item.textValue());
    }
    return texts;
  }

  /** An optional boolean field. */
  boolean flag(JsonNode body, String field, boolean fallback) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw ApiException.invalidField(
          field, "invalid_type", "'" + field + "' must be true or false, got " + kind(value));
    }
    return value.booleanValue();
  }

  /** An optional string field restricted to some values. */
  String choice(JsonNode body, String field, String fallback, List<String> allowed) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isTextual() || !allowed.contains(value.textValue())) {
      throw ApiException.invalidField(
          field, "invalid_value", "'" + field + "' must be one of " + allowed + ", got " + value);
    }
    return value.textValue();
  }

  /** An optional string field. */
  String string(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.invalidField(
          field, "invalid_type", "'" + field + "' must be a string, got " + kind(value));
    }
    return value.textValue();
  }

  /** An optional whole-number field. */
  Integer integer(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw ApiException.invalidField(
          field, "invalid_type", "'" + field + "' must be a whole number, got " + kind(value));
    }
    return value.intValue();
  }

  static String kind(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
