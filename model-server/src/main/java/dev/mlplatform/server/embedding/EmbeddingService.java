package dev.mlplatform.server.embedding;

import dev.mlplatform.server.batching.DynamicBatcher;
import dev.mlplatform.server.inference.TextTokenizer;
import dev.mlplatform.server.inference.TokenizedText;
import dev.mlplatform.server.inference.Vectors;
import dev.mlplatform.server.metrics.ServerMetrics;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Texts in, vectors out: tokenises on the caller's thread, hands the tokens to the batcher and
 * normalises the pooled vectors when asked.
 */
public final class EmbeddingService {
  private final TextTokenizer tokenizer;
  private final DynamicBatcher batcher;
  private final ServerMetrics metrics;
  private final int maxSequenceLength;

  public EmbeddingService(
      TextTokenizer tokenizer,
      DynamicBatcher batcher,
      ServerMetrics metrics,
      int maxSequenceLength) {
    this.tokenizer = tokenizer;
    this.batcher = batcher;
    this.metrics = metrics;
    this.maxSequenceLength = maxSequenceLength;
  }

  /**
   * @param truncate cut texts longer than the model's window; when false such a text fails the
   *     whole request with {@link InputTooLongException} before anything is queued
   * @param normalize return unit-length vectors
   */
  public CompletableFuture<Embeddings> embed(
      List<String> texts, boolean truncate, boolean normalize) {
    List<TokenizedText> tokens = tokenizer.tokenize(texts);
    int total = 0;
    for (int i = 0; i < tokens.size(); i++) {
      if (!truncate && tokens.get(i).truncated()) {
        throw new InputTooLongException(i, maxSequenceLength);
      }
      total += tokens.get(i).length();
    }
    int tokenCount = total;
    return batcher
        .submit(tokens)
        .thenApply(
            vectors -> {
              if (normalize) {
                for (int i = 0; i < vectors.length; i++) {
                  vectors[i] = Vectors.normalized(vectors[i]);
                }
              }
              metrics.recordEmbedded(vectors.length, tokenCount);
              return new Embeddings(vectors, tokenCount);
            });
  }
}
