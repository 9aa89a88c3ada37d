package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlplatform.server.inference.Vectors;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ApiClient.Reply;
import dev.mlplatform.server.testing.Sentences;
import dev.mlplatform.server.testing.ServedBy;
import dev.mlplatform.server.testing.SharedServer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Run on every engine by its subclasses; see {@link ServedBy}. */
@ExtendWith(SharedServer.class)
abstract class EmbeddingRoutesContract {
  /** The engine of this class's server, as {@code /info} and the metrics name it. */
  private String engine() {
    return getClass().getAnnotation(ServedBy.class).value();
  }

  private final ApiClient api;

  EmbeddingRoutesContract(ApiClient api) {
    this.api = api;
  }

  private float[][] predict(List<String> texts) {
    Reply reply = api.post("/predict", ApiClient.json(Map.of("texts", texts)));
    assertThat(reply.status()).isEqualTo(200);
    JsonNode rows = reply.json().get("embeddings");
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ApiClient.floats(rows.get(i));
    }
    return out;
  }

  @Test
  void predict_returns_one_unit_length_384_float_vector_per_text_with_usage() {
    Reply reply = api.post("/predict", "{\"texts\": [\"hello world\", \"second text\"]}");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    JsonNode body = reply.json();
    assertThat(body.get("model").asText()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(body.get("dimension").asInt()).isEqualTo(384);
    assertThat(body.get("embeddings")).hasSize(2);
    for (JsonNode row : body.get("embeddings")) {
      float[] v = ApiClient.floats(row);
      assertThat(v).hasSize(384);
      assertThat(Vectors.cosine(v, v)).isCloseTo(1.0, within(1e-6));
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-4));
    }
    // [CLS] hello world [SEP] + [CLS] second text [SEP]
    assertThat(body.at("/usage/tokens").asInt()).isEqualTo(8);
  }

  @Test
  void predict_accepts_a_single_text_and_matches_the_sentence_transformers_reference() {
    Reply reply = api.post("/predict", "{\"text\": \"This is an example sentence\"}");

    assertThat(reply.status()).isEqualTo(200);
    float[] v = ApiClient.floats(reply.json().at("/embeddings/0"));
    // first components of sentence-transformers' own output for this sentence
    assertThat(v[0]).isCloseTo(0.0676569f, within(1e-5f));
    assertThat(v[1]).isCloseTo(0.0634960f, within(1e-5f));
    assertThat(v[2]).isCloseTo(0.0487131f, within(1e-5f));
    assertThat(v[3]).isCloseTo(0.0793050f, within(1e-5f));
  }

  @Test
  void similar_meanings_land_closer_than_different_ones() {
    float[][] v =
        predict(
            List.of(
                "A man is eating food.",
                "A man is eating a piece of bread.",
                "A man is riding a horse."));

    assertThat(Vectors.cosine(v[0], v[1])).isGreaterThan(Vectors.cosine(v[0], v[2]) + 0.1);
  }

  @Test
  void a_sentence_alone_equals_itself_inside_a_mixed_length_batch() {
    float[][] batch = predict(Sentences.VARIED);
    for (int i = 0; i < Sentences.VARIED.size(); i++) {
      float[] alone = predict(List.of(Sentences.VARIED.get(i)))[0];
      for (int d = 0; d < alone.length; d++) {
        assertThat(batch[i][d]).as("text %d component %d", i, d).isCloseTo(alone[d], within(1e-5f));
      }
    }
  }

  @Test
  void concurrent_requests_each_get_their_own_vectors_back() {
    List<CompletableFuture<Reply>> replies = new ArrayList<>();
    for (String text : Sentences.VARIED) {
      replies.add(api.postAsync("/predict", ApiClient.json(Map.of("texts", List.of(text)))));
    }
    float[][] expected = predict(Sentences.VARIED);
    for (int i = 0; i < replies.size(); i++) {
      Reply reply = replies.get(i).join();
      assertThat(reply.status()).isEqualTo(200);
      float[] got = ApiClient.floats(reply.json().at("/embeddings/0"));
      assertThat(Vectors.cosine(got, expected[i])).isGreaterThan(0.99999);
    }
  }

  @Test
  void openai_embeddings_answer_in_openai_shape_as_floats_and_as_base64() {
    String texts =
        "{\"input\": [\"hello world\", \"bonjour\"], \"model\": \"sentence-transformers/all-MiniLM-L6-v2\"";
    Reply floats = api.post("/v1/embeddings", texts + "}");
    Reply base64 = api.post("/v1/embeddings", texts + ", \"encoding_format\": \"base64\"}");

    assertThat(floats.status()).isEqualTo(200);
    assertThat(floats.header("Content-Type")).startsWith("application/json");
    assertThat(floats.json().get("object").asText()).isEqualTo("list");
    assertThat(floats.json().get("model").asText())
        .isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(floats.json().at("/data/1/object").asText()).isEqualTo("embedding");
    assertThat(floats.json().at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(floats.json().at("/usage/prompt_tokens").asInt()).isPositive();
    assertThat(floats.json().at("/usage/total_tokens").asInt())
        .isEqualTo(floats.json().at("/usage/prompt_tokens").asInt());

    assertThat(base64.status()).isEqualTo(200);
    for (int i = 0; i < 2; i++) {
      float[] expected = ApiClient.floats(floats.json().at("/data/" + i + "/embedding"));
      byte[] bytes =
          Base64.getDecoder().decode(base64.json().at("/data/" + i + "/embedding").asText());
      float[] decoded = new float[bytes.length / 4];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(decoded);
      // the JSON floats are exact: they parse back to the very float32 values
      assertThat(decoded).containsExactly(expected, within(0f));
    }
  }

  @Test
  void openai_embeddings_accept_a_bare_string_and_the_short_model_name() {
    Reply reply =
        api.post("/v1/embeddings", "{\"input\": \"hello\", \"model\": \"all-MiniLM-L6-v2\"}");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("data")).hasSize(1);
    assertThat(reply.json().at("/data/0/embedding")).hasSize(384);
  }

  @Test
  void tei_embed_returns_bare_arrays_and_honours_normalize_false() {
    Reply normalized = api.post("/embed", "{\"inputs\": \"hello world\"}");
    Reply raw = api.post("/embed", "{\"inputs\": [\"hello world\"], \"normalize\": false}");

    assertThat(normalized.status()).isEqualTo(200);
    assertThat(normalized.header("Content-Type")).startsWith("application/json");
    assertThat(normalized.json().isArray()).isTrue();
    float[] unit = ApiClient.floats(normalized.json().get(0));
    float[] pooled = ApiClient.floats(raw.json().get(0));
    assertThat(unit).hasSize(384);
    double norm = 0;
    for (float x : pooled) {
      norm += x * x;
    }
    assertThat(Math.sqrt(norm)).isGreaterThan(1.5); // MiniLM's mean-pooled vectors are not unit
    assertThat(Vectors.cosine(unit, pooled)).isCloseTo(1.0, within(1e-6));
  }

  @Test
  void long_texts_are_truncated_to_the_window_by_default() {
    String longText = "token ".repeat(1000);
    Reply reply = api.post("/predict", ApiClient.json(Map.of("texts", List.of(longText))));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().at("/usage/tokens").asInt()).isEqualTo(256);
  }

  @Test
  void models_and_info_describe_the_served_model() {
    Reply models = api.get("/v1/models");
    Reply info = api.get("/info");

    assertThat(models.status()).isEqualTo(200);
    assertThat(models.json().at("/data/0/id").asText())
        .isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(models.json().at("/data/0/object").asText()).isEqualTo("model");
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().get("engine").asText()).isEqualTo(engine());
    assertThat(info.json().get("dimension").asInt()).isEqualTo(384);
    assertThat(info.json().get("max_sequence_length").asInt()).isEqualTo(256);
    assertThat(info.json().get("max_batch_size").asInt()).isEqualTo(32);
    assertThat(info.json().get("max_queue_size").asInt()).isEqualTo(1024);
    assertThat(info.json().get("version").asText()).isEqualTo("test");
  }

  @Test
  void health_routes_report_live_and_ready() {
    assertThat(api.get("/health/live").status()).isEqualTo(200);
    Reply ready = api.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("status").asText()).isEqualTo("ready");
  }
}
