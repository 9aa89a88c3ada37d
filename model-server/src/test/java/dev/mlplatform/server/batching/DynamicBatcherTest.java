package dev.mlplatform.server.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.server.inference.EmbeddingModel;
import dev.mlplatform.server.inference.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batcher's bookkeeping, against a stand-in model at the edge that "embeds" a text as its first
 * token id, so the test can see where every vector went.
 */
class DynamicBatcherTest {

  /** Records the batch sizes it sees; fails on a text whose first id is negative. */
  static class EchoModel implements EmbeddingModel {
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    @Override
    public int dimension() {
      return 1;
    }

    @Override
    public String engine() {
      return "OnnxRuntime";
    }

    @Override
    public float[][] embed(List<TokenizedText> batch) {
      batchSizes.add(batch.size());
      float[][] out = new float[batch.size()][];
      for (int i = 0; i < batch.size(); i++) {
        long id = batch.get(i).ids()[0];
        if (id < 0) {
          throw new IllegalStateException("bad input");
        }
        out[i] = new float[] {id};
      }
      return out;
    }

    @Override
    public void close() {}
  }

  private static TokenizedText text(long id, int length) {
    long[] ids = new long[length];
    ids[0] = id;
    return new TokenizedText(ids, new long[length], false);
  }

  @ParameterizedTest(name = "{0} worker(s)")
  @ValueSource(ints = {1, 2})
  void a_request_larger_than_a_batch_is_split_and_reassembled_in_order(int workers)
      throws Exception {
    EchoModel model = new EchoModel();
    try (DynamicBatcher batcher =
        new DynamicBatcher(
            model,
            new BatchingConfig(4, Duration.ofMillis(1), 10_000, 100, workers),
            BatchObserver.NONE)) {
      List<TokenizedText> texts = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        texts.add(text(i, 1 + (i * 7) % 5)); // mixed lengths, so sorting reorders them
      }

      float[][] vectors = batcher.submit(texts).get(10, TimeUnit.SECONDS);

      for (int i = 0; i < 10; i++) {
        assertThat(vectors[i][0]).isEqualTo(i);
      }
      assertThat(model.batchSizes).allMatch(size -> size <= 4);
      assertThat(model.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    }
  }

  @Test
  void concurrent_submissions_are_batched_together() throws Exception {
    EchoModel model = new EchoModel();
    try (DynamicBatcher batcher =
        new DynamicBatcher(
            model,
            new BatchingConfig(16, Duration.ofMillis(200), 10_000, 100, 1),
            BatchObserver.NONE)) {
      List<CompletableFuture<float[][]>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(batcher.submit(List.of(text(i, 3))));
      }
      for (int i = 0; i < 8; i++) {
        assertThat(futures.get(i).get(10, TimeUnit.SECONDS)[0][0]).isEqualTo(i);
      }
      assertThat(model.batchSizes).hasSizeLessThan(8);
    }
  }

  @Test
  void a_submission_that_does_not_fit_is_refused_whole_and_takes_no_slot() {
    EchoModel model = new EchoModel();
    try (DynamicBatcher batcher =
        new DynamicBatcher(
            model, new BatchingConfig(4, Duration.ZERO, 10_000, 3, 1), BatchObserver.NONE)) {
      assertThatThrownBy(
              () -> batcher.submit(List.of(text(1, 1), text(2, 1), text(3, 1), text(4, 1))))
          .isInstanceOf(QueueFullException.class)
          .hasMessageContaining("4 input(s)");
      assertThat(batcher.queueDepth()).isZero();
    }
  }

  @Test
  void a_failing_batch_fails_its_requests_and_the_worker_keeps_serving() throws Exception {
    EchoModel model = new EchoModel();
    try (DynamicBatcher batcher =
        new DynamicBatcher(
            model, new BatchingConfig(4, Duration.ZERO, 10_000, 100, 1), BatchObserver.NONE)) {
      CompletableFuture<float[][]> bad = batcher.submit(List.of(text(-1, 2)));

      assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(InferenceException.class);
      assertThat(batcher.submit(List.of(text(5, 2))).get(10, TimeUnit.SECONDS)[0][0]).isEqualTo(5);
    }
  }

  @ParameterizedTest(name = "{0} worker(s)")
  @ValueSource(ints = {1, 2})
  void drain_finishes_accepted_work_then_refuses_more(int workers) throws Exception {
    EchoModel model = new EchoModel();
    DynamicBatcher batcher =
        new DynamicBatcher(
            model,
            new BatchingConfig(2, Duration.ofMillis(50), 10_000, 100, workers),
            BatchObserver.NONE);
    List<CompletableFuture<float[][]>> accepted = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      accepted.add(batcher.submit(List.of(text(i, 2))));
    }

    assertThat(batcher.drain(Duration.ofSeconds(10))).isTrue();

    for (CompletableFuture<float[][]> f : accepted) {
      assertThat(f).isCompleted();
      assertThat(f.get()).hasDimensions(1, 1);
    }
    assertThatThrownBy(() -> batcher.submit(List.of(text(1, 1))))
        .isInstanceOf(BatcherClosedException.class);
  }

  /** Counts how many passes are inside the model at once; each pass waits at a gate. */
  static final class OverlapModel extends EchoModel {
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger mostInside = new AtomicInteger();
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public float[][] embed(List<TokenizedText> batch) {
      mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
      try {
        gate.await(10, TimeUnit.SECONDS);
        return super.embed(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        inside.decrementAndGet();
      }
    }
  }

  @ParameterizedTest(name = "{0} worker(s)")
  @ValueSource(ints = {1, 2, 3})
  void as_many_passes_run_at_once_as_there_are_workers_and_no_more(int workers) throws Exception {
    OverlapModel model = new OverlapModel();
    try (DynamicBatcher batcher =
        new DynamicBatcher(
            model,
            new BatchingConfig(1, Duration.ZERO, 10_000, 100, workers),
            BatchObserver.NONE)) {
      List<CompletableFuture<float[][]>> futures = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        futures.add(batcher.submit(List.of(text(i, 2))));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> model.inside.get() == workers);
      Thread.sleep(100); // a worker too many would have entered by now
      assertThat(model.mostInside.get()).isEqualTo(workers);
      model.gate.countDown();
      for (int i = 0; i < 6; i++) {
        assertThat(futures.get(i).get(10, TimeUnit.SECONDS)[0][0]).isEqualTo(i);
      }
    }
  }

  @ParameterizedTest(name = "{0} workers")
  @ValueSource(ints = {2, 3})
  void waiting_inputs_are_shared_among_idle_workers_rather_than_run_in_one_pass(int workers)
      throws Exception {
    OverlapModel model = new OverlapModel();
    try (DynamicBatcher batcher =
        new DynamicBatcher(
            model,
            new BatchingConfig(32, Duration.ofMillis(200), 10_000, 100, workers),
            BatchObserver.NONE)) {
      List<CompletableFuture<float[][]>> futures = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        futures.add(batcher.submit(List.of(text(i, 2))));
      }
      // one pass of 12 would leave the other workers (cores, with one thread each) idle
      await().atMost(Duration.ofSeconds(10)).until(() -> model.inside.get() == workers);
      model.gate.countDown();
      for (int i = 0; i < 12; i++) {
        assertThat(futures.get(i).get(10, TimeUnit.SECONDS)[0][0]).isEqualTo(i);
      }
      assertThat(model.batchSizes).hasSize(workers).containsOnly(12 / workers);
    }
  }
}
