package dev.mlplatform.server.inference;

/**
 * One text after tokenisation, unpadded: its token ids and token type ids have {@link #length()}
 * entries, special tokens included.
 *
 * @param truncated whether the text was longer than the model's window and was cut
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {
  public int length() {
    return ids.length;
  }
}
