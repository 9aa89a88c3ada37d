package dev.mlplatform.server.batching;

import java.time.Duration;

/**
 * Limits of the dynamic batcher.
 *
 * @param maxBatchSize most inputs in one forward pass
 * @param maxBatchDelay longest the first input of a batch waits for company
 * @param maxBatchTokens most padded tokens (inputs x longest input) in one forward pass
 * @param maxQueueSize most inputs waiting for the model before submissions are refused
 * @param workers how many forward passes may run at once, each on its own thread
 */
public record BatchingConfig(
    int maxBatchSize, Duration maxBatchDelay, int maxBatchTokens, int maxQueueSize, int workers) {

  public BatchingConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
  }
}
