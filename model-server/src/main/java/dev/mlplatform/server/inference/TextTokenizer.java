package dev.mlplatform.server.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's Hugging Face tokenizer (native, from {@code ai.djl.huggingface:tokenizers}), set to
 * truncate at the model's window and never pad: the batcher pads each batch to its own longest
 * text.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  public TextTokenizer(Path tokenizerJson, int maxSequenceLength) {
    try {
      this.tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(tokenizerJson)
              .optAddSpecialTokens(true)
              .optTruncation(true)
              .optPadding(false)
              .optMaxLength(maxSequenceLength)
              .build();
    } catch (IOException e) {
      throw new ModelLoadException(
          "cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
    }
  }

  public List<TokenizedText> tokenize(List<String> texts) {
    Encoding[] encodings =
        texts.size() == 1
            ? new Encoding[] {tokenizer.encode(texts.get(0))}
            : tokenizer.batchEncode(texts);
    List<TokenizedText> out = new ArrayList<>(encodings.length);
    for (Encoding e : encodings) {
      out.add(new TokenizedText(e.getIds(), e.getTypeIds(), e.exceedMaxLength()));
    }
    return out;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
