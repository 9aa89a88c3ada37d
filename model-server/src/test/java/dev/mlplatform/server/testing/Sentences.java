package dev.mlplatform.server.testing;

import java.util.List;

/** Varied real texts: lengths from one word to past the model's window, several scripts, code. */
public final class Sentences {
  private Sentences() {}

  public static final List<String> VARIED =
      List.of(
          "A man is eating food.",
          "A man is eating a piece of bread.",
          "A man is riding a horse.",
          "The girl is carrying a baby.",
          "Hi",
          "Kubernetes schedules pods onto nodes according to their resource requests.",
          "The quick brown fox jumps over the lazy dog while the farmer watches from the porch.",
          "Der schnelle braune Fuchs springt über den faulen Hund.",
          "Le chat dort sur le canapé depuis ce matin.",
          "東京は日本の首都です。",
          "Москва — столица России.",
          "def add(a, b):\n    return a + b",
          "SELECT name, count(*) FROM users GROUP BY name HAVING count(*) > 1;",
          "Emoji are fine too 🚀🔥 and so are accents: café, naïve, façade.",
          "Stock markets rallied on Tuesday after the central bank held interest rates steady.",
          "Photosynthesis converts light energy into chemical energy stored in glucose.",
          "She sells sea shells by the sea shore.",
          "In 1969 Apollo 11 landed on the Moon and Neil Armstrong took the first steps.",
          "The committee will reconvene next week to finalise the budget proposal. ".repeat(8),
          "An embedding maps text to a vector so that similar meanings land close together. "
              .repeat(20));
}
