package dev.mlplatform.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code POST /predict}: {@code {"texts": [...]}} or {@code {"text": "..."}}; optional {@code
 * "truncate"} and {@code "prompt_name"}.
 */
final class PredictRoute {
  private final JsonRequests requests;
  private final JsonResponses responses;
  private final EmbeddingGateway gateway;

  PredictRoute(JsonRequests requests, JsonResponses responses, EmbeddingGateway gateway) {
    this.requests = requests;
    this.responses = responses;
    this.gateway = gateway;
  }

  record Usage(int tokens) {}

  record Response(String model, int dimension, float[][] embeddings, Usage usage) {}

  void handle(Context ctx) {
    ObjectNode body = requests.body(ctx);
    List<String> texts;
    if (body.hasNonNull("text")) {
      if (body.hasNonNull("texts")) {
        throw ApiException.invalidField(
            "text", "conflicting_fields", "send either 'text' or 'texts', not both");
      }
      if (!body.get("text").isTextual()) {
        throw ApiException.invalidField(
            "text",
            "invalid_type",
            "'text' must be a string, got " + JsonRequests.kind(body.get("text")));
      }
      texts = List.of(body.get("text").textValue());
    } else {
      texts = requests.texts(body, "texts", false);
    }
    boolean truncate = requests.flag(body, "truncate", true);
    var model = gateway.model();
    var pending = gateway.embed(texts, truncate, null, requests.string(body, "prompt_name"));
    ctx.future(
        () ->
            pending.thenAccept(
                e ->
                    responses.send(
                        ctx,
                        new Response(
                            model.id(), model.dimension(), e.vectors(), new Usage(e.tokens())))));
  }
}
