package dev.mlplatform.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlplatform.server.embedding.Embeddings;
import dev.mlplatform.server.embedding.LoadedModel;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The OpenAI-compatible routes: {@code POST /v1/embeddings} and {@code GET /v1/models}. */
final class OpenAiRoutes {
  private final JsonRequests requests;
  private final JsonResponses responses;
  private final EmbeddingGateway gateway;
  private final long createdEpochSeconds;

  OpenAiRoutes(
      JsonRequests requests,
      JsonResponses responses,
      EmbeddingGateway gateway,
      long createdEpochSeconds) {
    this.requests = requests;
    this.responses = responses;
    this.gateway = gateway;
    this.createdEpochSeconds = createdEpochSeconds;
  }

  record Usage(int promptTokens, int totalTokens) {}

  /** {@code embedding} is a float array, or a base64 string of little-endian float32. */
  record Item(String object, int index, Object embedding) {}

  record EmbeddingList(String object, List<Item> data, String model, Usage usage) {}

  record Model(String id, String object, long created, String ownedBy) {}

  record ModelList(String object, List<Model> data) {}

  void embeddings(Context ctx) {
    ObjectNode body = requests.body(ctx);
    List<String> texts = requests.texts(body, "input", true);
    String format = requests.choice(body, "encoding_format", "float", List.of("float", "base64"));
    LoadedModel model = gateway.model();
    String asked = requests.string(body, "model");
    if (asked != null && !servesModel(model.id(), asked)) {
      throw ApiException.notFound(
          "model",
          "model_not_found",
          "model '" + asked + "' is not served here; this server serves '" + model.id() + "'");
    }
    Integer dimensions = requests.integer(body, "dimensions");
    if (dimensions != null && dimensions != model.dimension()) {
      throw ApiException.invalidField(
          "dimensions",
          "invalid_value",
          "'dimensions' must be " + model.dimension() + " for this model, got " + dimensions);
    }
    // prompt_name is an extension (OpenAI's models have no prompts), named as in TEI
    var pending = gateway.embed(texts, true, null, requests.string(body, "prompt_name"));
    boolean base64 = format.equals("base64");
    ctx.future(() -> pending.thenAccept(e -> responses.send(ctx, list(model.id(), e, base64))));
  }

  void models(Context ctx) {
    LoadedModel model = gateway.model();
    ctx.json(
        new ModelList(
            "list", List.of(new Model(model.id(), "model", createdEpochSeconds, "mlplatform"))));
  }

  private static boolean servesModel(String id, String asked) {
    return asked.equals(id) || asked.equals(id.substring(id.lastIndexOf('/') + 1));
  }

  private static EmbeddingList list(String modelId, Embeddings e, boolean base64) {
    List<Item> items = new ArrayList<>(e.vectors().length);
    for (int i = 0; i < e.vectors().length; i++) {
      float[] v = e.vectors()[i];
      items.add(new Item("embedding", i, base64 ? toBase64(v) : v));
    }
    return new EmbeddingList("list", items, modelId, new Usage(e.tokens(), e.tokens()));
  }

  private static String toBase64(float[] vector) {
    ByteBuffer bytes =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
