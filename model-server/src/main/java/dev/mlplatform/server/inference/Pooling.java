package dev.mlplatform.server.inference;

import java.util.Locale;
import java.util.Optional;

/** How a text's token vectors become one sentence vector, as in sentence-transformers. */
public enum Pooling {
  /** Average of the token vectors under the attention mask. */
  MEAN,
  /** The first ([CLS]) token's vector. */
  CLS;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Pooling> fromName(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "mean" -> Optional.of(MEAN);
      case "cls" -> Optional.of(CLS);
      default -> Optional.empty();
    };
  }
}
