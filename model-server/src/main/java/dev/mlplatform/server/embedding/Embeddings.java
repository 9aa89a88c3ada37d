package dev.mlplatform.server.embedding;

/**
 * The vectors of one request, in the order its texts came, and the tokens the model read for them.
 */
public record Embeddings(float[][] vectors, int tokens) {}
