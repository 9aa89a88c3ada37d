package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ApiClient.Reply;
import dev.mlplatform.server.testing.SharedServer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A generated corpus of hostile requests (malformed and truncated JSON, wrong types, nulls, deep
 * nesting, huge strings and bodies, thousands of inputs, empty and invisible texts, invalid UTF-8,
 * mixed scripts, wrong Content-Types) against every embedding route: each gets a 4xx JSON error or
 * a correct answer, never a 5xx; the server stays ready and keeps no memory from it.
 */
@ExtendWith(SharedServer.class)
class HostileInputIT {
  private static final List<String> ROUTES = List.of("/predict", "/v1/embeddings", "/embed");
  private static final Map<String, String> FIELD =
      Map.of("/predict", "texts", "/v1/embeddings", "input", "/embed", "inputs");
  private final ApiClient api;

  HostileInputIT(ApiClient api) {
    this.api = api;
  }

  record Attack(String route, byte[] body, int inputs, String kind, String contentType) {
    Attack(String route, byte[] body, int inputs, String kind) {
      this(route, body, inputs, kind, "application/json");
    }
  }

  private static Arbitrary<String> nastyText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(64),
        Arbitraries.strings()
            .withChars('\u200b', '\u200d', '\ufeff', '\u0000', '\u0007', '\n', '\t')
            .ofMaxLength(32),
        Arbitraries.strings()
            .withCharRange('\u0400', '\u04ff')
            .withCharRange('\u4e00', '\u4fff')
            .withCharRange('a', 'z')
            .withChars("🚀🔥😀👩‍💻".toCharArray())
            .ofMaxLength(200),
        Arbitraries.just(""),
        Arbitraries.just("   "),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(10_000).ofMaxLength(200_000));
  }

  private static Arbitrary<Attack> attacks() {
    Arbitrary<String> route = Arbitraries.of(ROUTES);
    Arbitrary<Attack> valid =
        route.flatMap(
            r ->
                nastyText()
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(8)
                    .map(
                        texts ->
                            json(r, Map.of(FIELD.get(r), texts), texts.size(), "nasty texts")));
    Arbitrary<Attack> tooMany =
        route.flatMap(
            r ->
                Arbitraries.integers()
                    .between(257, 10_000)
                    .withDistribution(RandomDistribution.uniform())
                    .map(
                        n ->
                            json(
                                r,
                                Map.of(FIELD.get(r), Collections.nCopies(n, "x")),
                                n,
                                "too many")));
    Arbitrary<Attack> wrongType =
        route.flatMap(
            r ->
                Arbitraries.of(
                        "1", "true", "null", "{}", "[1, 2]", "[null]", "[[\"a\"]]", "[{}]", "\"\"")
                    .map(v -> raw(r, "{\"" + FIELD.get(r) + "\": " + v + "}", "wrong type")));
    Arbitrary<Attack> malformed =
        route.flatMap(
            r ->
                Arbitraries.oneOf(
                    Arbitraries.strings().all().ofMaxLength(200).map(s -> raw(r, s, "garbage")),
                    Arbitraries.integers()
                        .between(1, 30)
                        .map(
                            cut -> {
                              String full = "{\"" + FIELD.get(r) + "\": [\"hello\", \"world\"]}";
                              return raw(
                                  r,
                                  full.substring(0, Math.min(cut, full.length() - 1)),
                                  "truncated");
                            })));
    Arbitrary<Attack> deep =
        route.flatMap(
            r ->
                Arbitraries.integers()
                    .between(2, 5_000)
                    .map(
                        d ->
                            raw(
                                r,
                                "{\"" + FIELD.get(r) + "\": " + "[".repeat(d) + "]".repeat(d) + "}",
                                "deep")));
    Arbitrary<Attack> invalidUtf8 =
        route.flatMap(
            r ->
                Arbitraries.bytes()
                    .array(byte[].class)
                    .ofMinSize(1)
                    .ofMaxSize(16)
                    .map(
                        junk -> {
                          byte[] head =
                              ("{\"" + FIELD.get(r) + "\": [\"").getBytes(StandardCharsets.UTF_8);
                          byte[] tail = "\"]}".getBytes(StandardCharsets.UTF_8);
                          byte[] body = new byte[head.length + junk.length + 2 + tail.length];
                          System.arraycopy(head, 0, body, 0, head.length);
                          body[head.length] = (byte) 0xC3; // a lead byte with no continuation
                          body[head.length + 1] = (byte) 0x28;
                          System.arraycopy(junk, 0, body, head.length + 2, junk.length);
                          System.arraycopy(
                              tail, 0, body, head.length + 2 + junk.length, tail.length);
                          return new Attack(r, body, 1, "invalid utf-8");
                        }));
    Arbitrary<Attack> hugeBody =
        route.map(
            r ->
                json(
                    r, Map.of(FIELD.get(r), List.of("a".repeat(3 * 1024 * 1024))), 1, "huge body"));
    Arbitrary<Attack> wrongContentType =
        valid.flatMap(
            attack ->
                Arbitraries.of(
                        "text/plain",
                        "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x",
                        "application/xml",
                        "application/json; charset=latin1",
                        "")
                    .map(
                        type ->
                            new Attack(
                                attack.route(),
                                attack.body(),
                                attack.inputs(),
                                "content-type '" + type + "'",
                                type)));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(30, valid),
        net.jqwik.api.Tuple.of(5, tooMany),
        net.jqwik.api.Tuple.of(20, wrongType),
        net.jqwik.api.Tuple.of(20, malformed),
        net.jqwik.api.Tuple.of(10, deep),
        net.jqwik.api.Tuple.of(10, invalidUtf8),
        net.jqwik.api.Tuple.of(2, hugeBody),
        net.jqwik.api.Tuple.of(5, wrongContentType));
  }

  private static Attack json(String route, Object body, int inputs, String kind) {
    return new Attack(route, ApiClient.json(body).getBytes(StandardCharsets.UTF_8), inputs, kind);
  }

  private static Attack raw(String route, String body, String kind) {
    return new Attack(route, body.getBytes(StandardCharsets.UTF_8), -1, kind);
  }

  @Test
  void a_thousand_hostile_requests_get_4xx_json_or_a_correct_answer_and_never_a_5xx() {
    // sampled outside a jqwik property, so each run draws a fresh corpus; a failure names the
    // attack's kind and route
    List<Attack> corpus = attacks().sampleStream().limit(1000).toList();
    long heapBefore = heapAfterGc();

    for (Attack attack : corpus) {
      Reply reply = api.post(attack.route(), attack.body(), attack.contentType());
      String what = attack.kind() + " on " + attack.route() + " -> " + reply.status();

      assertThat(reply.status()).as(what).isLessThan(500);
      if (reply.status() == 200) {
        JsonNode vectors =
            switch (attack.route()) {
              case "/predict" -> reply.json().get("embeddings");
              case "/v1/embeddings" -> reply.json().get("data");
              default -> reply.json();
            };
        if (attack.inputs() > 0) {
          assertThat(vectors).as(what).hasSize(attack.inputs());
        }
      } else {
        assertThat(reply.status()).as(what).isIn(400, 413, 422, 429);
        assertThat(reply.json()).as(what + ": JSON error body").isNotNull();
        assertThat(reply.json().at("/error/code").asText()).as(what).isNotBlank();
      }
    }
    assertThat(api.get("/health/ready").status()).isEqualTo(200);
    assertThat(api.post("/predict", "{\"texts\": [\"still serving\"]}").status()).isEqualTo(200);
    // the server runs in this JVM: what the corpus left behind stays on the heap after a GC
    assertThat((heapAfterGc() - heapBefore) / (1024 * 1024))
        .as("MiB of heap the corpus left behind")
        .isLessThan(32);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
