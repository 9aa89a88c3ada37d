package dev.mlplatform.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code POST /embed}, as Hugging Face text-embeddings-inference answers it: {@code {"inputs": ...,
 * "normalize": true, "truncate": ..., "prompt_name": ...}} → {@code [[...], ...]}.
 */
final class TeiEmbedRoute {
  private final JsonRequests requests;
  private final JsonResponses responses;
  private final EmbeddingGateway gateway;

  TeiEmbedRoute(JsonRequests requests, JsonResponses responses, EmbeddingGateway gateway) {
    this.requests = requests;
    this.responses = responses;
    this.gateway = gateway;
  }

  void handle(Context ctx) {
    ObjectNode body = requests.body(ctx);
    List<String> texts = requests.texts(body, "inputs", true);
    boolean normalize = requests.flag(body, "normalize", true);
    boolean truncate = requests.flag(body, "truncate", true);
    var pending = gateway.embed(texts, truncate, normalize, requests.string(body, "prompt_name"));
    ctx.future(() -> pending.thenAccept(e -> responses.send(ctx, e.vectors())));
  }
}
