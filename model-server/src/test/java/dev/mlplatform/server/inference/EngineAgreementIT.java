package dev.mlplatform.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.server.testing.Fixtures;
import dev.mlplatform.server.testing.Sentences;
import dev.mlplatform.server.testing.TestEnv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch engine on the TorchScript computes what ONNX Runtime computes on the ONNX weights.
 * (That the server's own ONNX Runtime runner matches DJL's ONNX Runtime engine bit for bit was
 * measured once with the bench's {@code -Dbench.djl=true}, see docs/performance.md; it is not
 * checked here.)
 */
class EngineAgreementIT {

  /** On the runner the server picks for the model's engine. */
  private static float[][] embed(ModelFiles files, List<String> texts) {
    try (TextTokenizer tokenizer = new TextTokenizer(files.tokenizer(), 256);
        EmbeddingModel model =
            EngineRegistry.standard()
                .load(files, Pooling.MEAN, 2, tokenizer.tokenize(List.of("probe")).get(0))) {
      assertThat(model.engine()).isEqualTo(files.engine());
      return model.embed(tokenizer.tokenize(texts));
    }
  }

  private static List<String> texts() {
    List<String> texts = new ArrayList<>(Sentences.VARIED);
    texts.add("कृत्रिम बुद्धिमत्ता तेजी से बदल रही है।");
    texts.add("public static void main(String[] args) { System.out.println(\"hi\"); }");
    texts.add("Quantum ".repeat(400)); // far past the 256-token window: both truncate alike
    return texts;
  }

  @Test
  void pytorch_and_onnx_runtime_agree_on_every_sentence() {
    List<String> texts = texts();
    ModelFiles onnx =
        new BundledModels(TestEnv.config().modelCacheDir()).unpack("all-minilm-l6-v2");
    ModelFiles torch =
        new ModelLocator(null, null, null, EngineRegistry.standard())
            .locate("file://" + Fixtures.torchScriptModel(), null);

    assertThat(torch.engine()).isEqualTo("PyTorch");
    assertThat(torch.defaults()).isEqualTo(new ModelSettings(256, Pooling.MEAN, true));
    float[][] viaOnnx = embed(onnx, texts);
    float[][] viaTorch = embed(torch, texts);

    double lowest = 1;
    for (int i = 0; i < texts.size(); i++) {
      double cosine = Vectors.cosine(viaOnnx[i], viaTorch[i]);
      assertThat(cosine).as("text %d: %s", i, texts.get(i)).isGreaterThanOrEqualTo(0.999);
      lowest = Math.min(lowest, cosine);
    }
    System.out.printf(
        "PyTorch vs ONNX Runtime: lowest cosine %.8f over %d texts%n", lowest, texts.size());
  }
}
