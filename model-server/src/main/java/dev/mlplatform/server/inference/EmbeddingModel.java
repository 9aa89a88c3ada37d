package dev.mlplatform.server.inference;

import java.util.List;

/**
 * A sentence-embedding model: one forward pass over a batch of tokenised texts, pooled to one
 * vector per text. Implementations take concurrent calls: the batcher's workers run passes side by
 * side.
 */
public interface EmbeddingModel extends AutoCloseable {

  /** Length of every vector the model returns. */
  int dimension();

  /** The name of the engine running the model, as {@code /info} reports it. */
  String engine();

  /**
   * Embeds a batch. The returned vectors are pooled but not normalised (normalisation is a
   * per-request choice); row {@code i} belongs to {@code batch.get(i)}.
   */
  float[][] embed(List<TokenizedText> batch);

  @Override
  void close();
}
