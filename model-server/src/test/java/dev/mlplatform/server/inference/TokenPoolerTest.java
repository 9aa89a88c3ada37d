package dev.mlplatform.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pooling as every engine's runner gets it: from the output buffer, padding left out. */
class TokenPoolerTest {
  private static final float PAD = 1e30f; // what an engine may leave in padded positions

  /** Two texts of 3 and 1 tokens, dim 2, padded to 3 tokens: [2, 3, 2]. */
  private static final float[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 8, PAD, PAD, PAD, PAD};

  private static final long[] SHAPE = {2, 3, 2};
  private static final List<TokenizedText> BATCH = List.of(text(3), text(1));

  private static TokenizedText text(int length) {
    return new TokenizedText(new long[length], new long[length], false);
  }

  private static FloatBuffer direct(float[] data) {
    FloatBuffer buffer =
        ByteBuffer.allocateDirect(data.length * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    buffer.put(data).flip();
    return buffer;
  }

  @Test
  void mean_averages_each_texts_own_tokens_and_never_the_padding() {
    float[][] pooled = new TokenPooler(Pooling.MEAN).pool(FloatBuffer.wrap(TOKENS), SHAPE, BATCH);

    assertThat(pooled).isDeepEqualTo(new float[][] {{3, 4}, {7, 8}});
  }

  @Test
  void cls_takes_each_texts_first_token() {
    float[][] pooled = new TokenPooler(Pooling.CLS).pool(FloatBuffer.wrap(TOKENS), SHAPE, BATCH);

    assertThat(pooled).isDeepEqualTo(new float[][] {{1, 2}, {7, 8}});
  }

  @Test
  void an_output_already_pooled_is_taken_as_it_is() {
    float[][] pooled =
        new TokenPooler(Pooling.MEAN)
            .pool(FloatBuffer.wrap(new float[] {1, 2, 3, 4}), new long[] {2, 2}, BATCH);

    assertThat(pooled).isDeepEqualTo(new float[][] {{1, 2}, {3, 4}});
  }

  @Test
  void a_direct_buffer_as_onnx_runtime_writes_and_a_heap_array_as_djl_returns_pool_alike() {
    float[] data = new float[4 * 7 * 16];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) Math.sin(i * 0.37) * 3.1f;
    }
    List<TokenizedText> batch = List.of(text(7), text(2), text(5), text(1));
    long[] shape = {4, 7, 16};
    TokenPooler reused = new TokenPooler(Pooling.MEAN);
    reused.pool(direct(data), shape, List.of(text(7), text(7), text(7), text(7)));

    float[][] viaDirect = reused.pool(direct(data), shape, batch);
    float[][] viaHeap = new TokenPooler(Pooling.MEAN).pool(FloatBuffer.wrap(data), shape, batch);

    assertThat(viaDirect).isDeepEqualTo(viaHeap);
    // and a reused pooler is not thrown by what the previous pass left in its row buffer
    assertThat(viaDirect[1][0]).isEqualTo((data[7 * 16] + data[7 * 16 + 16]) / 2);
  }
}
