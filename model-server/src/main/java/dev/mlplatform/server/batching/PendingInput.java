package dev.mlplatform.server.batching;

import dev.mlplatform.server.inference.TokenizedText;

/** One text waiting for the model, and where its vector goes. */
record PendingInput(TokenizedText text, PendingRequest request, int index, long enqueuedNanos) {
  int length() {
    return text.length();
  }
}
