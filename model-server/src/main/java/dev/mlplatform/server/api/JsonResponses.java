package dev.mlplatform.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.javalin.http.ContentType;
import io.javalin.http.Context;

/**
 * Writes embedding responses as UTF-8 bytes straight from Jackson. {@code ctx.json} would build a
 * String first and encode it again: for a response that is mostly floats (~8 KB per vector) those
 * copies were a visible share of the server's CPU at one sentence per request.
 */
final class JsonResponses {
  private final ObjectWriter writer;

  JsonResponses(ObjectWriter writer) {
    this.writer = writer;
  }

  void send(Context ctx, Object body) {
    byte[] json;
    try {
      json = writer.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      // our own records and float arrays always serialise; this would be a bug, hence a 500
      throw new IllegalStateException("could not serialise " + body.getClass().getSimpleName(), e);
    }
    ctx.contentType(ContentType.APPLICATION_JSON).result(json);
  }
}
