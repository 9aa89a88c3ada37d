package dev.mlplatform.server.inference;

/**
 * How a loaded model turns text into a vector, after the configuration and the model's files have
 * been merged.
 */
public record ModelSettings(int maxSequenceLength, Pooling pooling, boolean normalize) {}
