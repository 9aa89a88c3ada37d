package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ApiClient.Reply;
import dev.mlplatform.server.testing.ServedBy;
import dev.mlplatform.server.testing.SharedServer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Run on every engine by its subclasses; see {@link ServedBy}. */
@ExtendWith(SharedServer.class)
abstract class ErrorResponsesContract {
  private final ApiClient api;

  ErrorResponsesContract(ApiClient api) {
    this.api = api;
  }

  private static void assertError(Reply reply, int status, String code, String param) {
    assertThat(reply.status()).isEqualTo(status);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.json().at("/error/code").asText()).isEqualTo(code);
    assertThat(reply.json().at("/error/message").asText()).isNotBlank();
    assertThat(reply.json().at("/error/type").asText()).isNotBlank();
    if (param != null) {
      assertThat(reply.json().at("/error/param").asText()).isEqualTo(param);
    }
  }

  @Test
  void malformed_json_gives_400() {
    assertError(api.post("/predict", "{\"texts\": [\"a\""), 400, "invalid_json", null);
    assertError(api.post("/v1/embeddings", "not json"), 400, "invalid_json", null);
    assertError(api.post("/embed", "[\"a json array, not an object\"]"), 400, "invalid_json", null);
    assertError(api.post("/predict", ""), 400, "empty_body", null);
  }

  @Test
  void wrong_types_give_422_naming_the_field() {
    assertError(api.post("/predict", "{\"texts\": \"not a list\"}"), 422, "invalid_type", "texts");
    assertError(api.post("/predict", "{\"texts\": [\"ok\", 7]}"), 422, "invalid_type", "texts[1]");
    assertError(api.post("/predict", "{\"text\": {\"a\": 1}}"), 422, "invalid_type", "text");
    assertError(
        api.post("/predict", "{\"texts\": [\"a\"], \"truncate\": \"no\"}"),
        422,
        "invalid_type",
        "truncate");
    assertError(
        api.post("/v1/embeddings", "{\"input\": [[101, 102]]}"), 422, "invalid_type", "input[0]");
    assertError(api.post("/embed", "{\"inputs\": null}"), 422, "missing_field", "inputs");
  }

  @Test
  void missing_or_empty_inputs_give_422() {
    assertError(api.post("/predict", "{}"), 422, "missing_field", "texts");
    assertError(api.post("/predict", "{\"texts\": []}"), 422, "empty_input", "texts");
    assertError(api.post("/v1/embeddings", "{\"input\": []}"), 422, "empty_input", "input");
  }

  @Test
  void invalid_field_values_give_422() {
    assertError(
        api.post("/v1/embeddings", "{\"input\": \"a\", \"encoding_format\": \"int8\"}"),
        422,
        "invalid_value",
        "encoding_format");
    assertError(
        api.post("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 128}"),
        422,
        "invalid_value",
        "dimensions");
  }

  @Test
  void asking_for_another_model_gives_404() {
    assertError(
        api.post("/v1/embeddings", "{\"input\": \"a\", \"model\": \"text-embedding-3-large\"}"),
        404,
        "model_not_found",
        "model");
  }

  @Test
  void too_many_inputs_give_413_with_the_limit() {
    Reply reply =
        api.post("/predict", ApiClient.json(Map.of("texts", Collections.nCopies(257, "x"))));

    assertError(reply, 413, "too_many_inputs", "texts");
    assertThat(reply.json().at("/error/message").asText())
        .contains("256")
        .contains("MAX_INPUTS_PER_REQUEST");
  }

  @Test
  void a_body_over_the_limit_gives_413_with_the_limit() {
    String huge = "{\"texts\": [\"" + "a".repeat(3 * 1024 * 1024) + "\"]}";
    Reply reply = api.post("/predict", huge);

    assertError(reply, 413, "body_too_large", null);
    assertThat(reply.json().at("/error/message").asText()).contains("2097152");
  }

  @Test
  void an_over_long_text_with_truncate_false_gives_413_naming_the_input() {
    String longText = "word ".repeat(400);
    Reply reply =
        api.post(
            "/predict",
            ApiClient.json(Map.of("texts", List.of("short", longText), "truncate", false)));
    Reply tei = api.post("/embed", ApiClient.json(Map.of("inputs", longText, "truncate", false)));

    assertError(reply, 413, "input_too_long", "input[1]");
    assertThat(reply.json().at("/error/message").asText()).contains("256");
    assertError(tei, 413, "input_too_long", "input[0]");
  }

  @Test
  void unknown_routes_give_a_json_404() {
    assertError(api.get("/v2/nothing"), 404, "not_found", null);
  }

  @Test
  void errors_leave_the_server_ready_and_serving() {
    api.post("/predict", "{{{{");
    api.post("/predict", "{\"texts\": [null]}");

    assertThat(api.get("/health/ready").status()).isEqualTo(200);
    assertThat(api.post("/predict", "{\"texts\": [\"still fine\"]}").status()).isEqualTo(200);
  }
}
