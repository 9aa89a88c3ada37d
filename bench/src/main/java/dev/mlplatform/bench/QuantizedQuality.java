package dev.mlplatform.bench;

import dev.mlplatform.server.inference.EmbeddingModel;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.inference.ModelFiles;
import dev.mlplatform.server.inference.Pooling;
import dev.mlplatform.server.inference.TextTokenizer;
import dev.mlplatform.server.inference.TokenizedText;
import dev.mlplatform.server.inference.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How far the int8 model's vectors are from the fp32 model's on a fixed corpus, one text at a time
 * (no padding): prints the corpus' token lengths, then the min and mean cosine between the two
 * models' vectors for the same text.
 *
 * <p>Usage: {@code QuantizedQuality CORPUS_FILE REFERENCE_URI QUANTIZED_URI}.
 */
public final class QuantizedQuality {
  private QuantizedQuality() {}

  public static void main(String[] args) throws Exception {
    List<String> texts =
        Files.readAllLines(Path.of(args[0])).stream().filter(s -> !s.isBlank()).toList();
    List<float[]> reference = embedAll(args[1], texts, true);
    List<float[]> quantized = embedAll(args[2], texts, false);
    double min = 1;
    double sum = 0;
    for (int i = 0; i < texts.size(); i++) {
      double cosine = Vectors.cosine(reference.get(i), quantized.get(i));
      min = Math.min(min, cosine);
      sum += cosine;
    }
    System.out.printf(
        "quality %s vs %s over %d texts: cosine min %.4f mean %.4f%n",
        args[2], args[1], texts.size(), min, sum / texts.size());
  }

  private static List<float[]> embedAll(String uri, List<String> texts, boolean describe) {
    ModelFiles files = BenchModels.locate(uri);
    try (TextTokenizer tokenizer = new TextTokenizer(files.tokenizer(), 256);
        EmbeddingModel model =
            EngineRegistry.standard()
                .load(files, Pooling.MEAN, 2, tokenizer.tokenize(List.of("probe")).get(0))) {
      List<TokenizedText> tokens = tokenizer.tokenize(texts);
      if (describe) {
        int[] lengths = tokens.stream().mapToInt(TokenizedText::length).sorted().toArray();
        long longOnes = tokens.stream().filter(t -> t.length() >= 100).count();
        System.out.printf(
            "corpus: %d texts, %.1f tokens on average (min %d, median %d, max %d), %d of them"
                + " 100-256 tokens (%.1f tokens on average), %d truncated at 256%n",
            lengths.length,
            tokens.stream().mapToInt(TokenizedText::length).average().orElse(0),
            lengths[0],
            lengths[lengths.length / 2],
            lengths[lengths.length - 1],
            longOnes,
            tokens.stream()
                .filter(t -> t.length() >= 100)
                .mapToInt(TokenizedText::length)
                .average()
                .orElse(0),
            tokens.stream().filter(TokenizedText::truncated).count());
      }
      List<float[]> vectors = new ArrayList<>(texts.size());
      for (TokenizedText text : tokens) {
        vectors.add(model.embed(List.of(text))[0]);
      }
      return vectors;
    }
  }
}
