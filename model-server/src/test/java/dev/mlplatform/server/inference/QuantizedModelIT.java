package dev.mlplatform.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.server.testing.Sentences;
import dev.mlplatform.server.testing.TestEnv;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantizedModelIT {

  private static float[][] embed(String bundled, List<String> texts) {
    ModelFiles files = new BundledModels(TestEnv.config().modelCacheDir()).unpack(bundled);
    try (TextTokenizer tokenizer = new TextTokenizer(files.tokenizer(), 256);
        EmbeddingModel model =
            EngineRegistry.standard()
                .load(files, Pooling.MEAN, 2, tokenizer.tokenize(List.of("probe")).get(0))) {
      return model.embed(tokenizer.tokenize(texts));
    }
  }

  @Test
  void int8_and_fp32_models_agree_on_every_sentence() {
    float[][] fp32 = embed("all-minilm-l6-v2", Sentences.VARIED);
    float[][] int8 = embed("all-minilm-l6-v2-q", Sentences.VARIED);

    double lowest = 1;
    for (int i = 0; i < fp32.length; i++) {
      double cosine = Vectors.cosine(fp32[i], int8[i]);
      assertThat(cosine)
          .as("sentence %d: %s", i, Sentences.VARIED.get(i))
          .isGreaterThanOrEqualTo(0.98);
      lowest = Math.min(lowest, cosine);
    }
    // the two really are different weights, not the same file loaded twice
    assertThat(lowest).isLessThan(0.9999);
  }
}
