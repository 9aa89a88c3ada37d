package dev.mlplatform.server.batching;

import dev.mlplatform.server.inference.EmbeddingModel;
import dev.mlplatform.server.inference.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the model runs. Submissions enter a bounded queue (counted in inputs, so a request
 * of 50 texts takes 50 slots); a single worker thread takes the oldest input, waits at most {@code
 * maxBatchDelay} for company unless a full batch is already there, then embeds everything it holds
 * in length-sorted batches. HTTP threads only tokenise and wait on a future.
 */
public final class DynamicBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

  /** How many batches' worth of inputs one window may sort by length. */
  private static final int WINDOW_BATCHES = 4;

  private final EmbeddingModel model;
  private final BatchingConfig config;
  private final BatchPlanner planner;
  private final BatchObserver observer;
  private final LinkedBlockingQueue<PendingInput> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger reserved = new AtomicInteger();
  private final Thread worker;

  /**
   * Completes requests, so that what hangs off their futures (normalising, serialising, writing the
   * response) never holds up the model thread.
   */
  private final ExecutorService responders;

  private volatile boolean accepting = true;
  private volatile boolean running = true;

  /** When the last forward pass ended (worker thread only). */
  private long modelFreeSince = System.nanoTime();

  /** Recent inputs per second, for the Retry-After estimate. */
  private volatile double throughput = 0;

  public DynamicBatcher(EmbeddingModel model, BatchingConfig config, BatchObserver observer) {
    this.model = model;
    this.config = config;
    this.planner = new BatchPlanner(config.maxBatchSize(), config.maxBatchTokens());
    this.observer = observer;
    AtomicInteger responderCount = new AtomicInteger();
    this.responders =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            r -> {
              Thread t = new Thread(r, "responder-" + responderCount.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.worker = new Thread(this::work, "batcher");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /**
   * Queues the texts and returns their pooled vectors, in order, once all are embedded.
   *
   * @throws QueueFullException when fewer slots are free than there are texts (nothing is queued)
   * @throws BatcherClosedException when the batcher is shutting down
   */
  public CompletableFuture<float[][]> submit(List<TokenizedText> texts) {
    if (!accepting) {
      throw new BatcherClosedException();
    }
    int n = texts.size();
    while (true) {
      int used = reserved.get();
      if (used + n > config.maxQueueSize()) {
        throw new QueueFullException(
            n, config.maxQueueSize() - used, config.maxQueueSize(), retryAfterSeconds(used));
      }
      if (reserved.compareAndSet(used, used + n)) {
        break;
      }
    }
    PendingRequest request = new PendingRequest(n);
    long now = System.nanoTime();
    for (int i = 0; i < n; i++) {
      queue.add(new PendingInput(texts.get(i), request, i, now));
    }
    return request.future();
  }

  /** Inputs waiting for a forward pass. */
  public int queueDepth() {
    return reserved.get();
  }

  private int retryAfterSeconds(int waiting) {
    double rate = throughput;
    if (rate <= 0) {
      return 1;
    }
    return (int) Math.max(1, Math.min(60, Math.ceil(waiting / rate)));
  }

  private void work() {
    List<PendingInput> window = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        PendingInput first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        window.add(first);
        // The delay counts from when the model could have started on this input: the later of its
        // arrival and the end of the previous pass. Counting from arrival alone would, under load,
        // start each pass with only what queued during the last one, and split steady traffic into
        // two alternating half-size batches.
        long from = Math.max(first.enqueuedNanos(), modelFreeSince);
        collect(window, from + config.maxBatchDelay().toNanos());
        reserved.addAndGet(-window.size());
        long started = System.nanoTime();
        for (List<PendingInput> batch : planner.plan(window, PendingInput::length)) {
          run(batch);
        }
        modelFreeSince = System.nanoTime();
        double seconds = (modelFreeSince - started) / 1e9;
        double rate = window.size() / Math.max(seconds, 1e-6);
        throughput = throughput == 0 ? rate : 0.8 * throughput + 0.2 * rate;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("batcher loop failed; continuing", e);
      } finally {
        window.clear();
      }
    }
  }

  /** Adds inputs to the window until a batch is full or the oldest input's delay is spent. */
  private void collect(List<PendingInput> window, long deadline) throws InterruptedException {
    int longest = window.get(0).length();
    while (!planner.fillsABatch(window.size(), longest)) {
      long wait = deadline - System.nanoTime();
      if (wait <= 0) {
        break;
      }
      PendingInput next = queue.poll(wait, TimeUnit.NANOSECONDS);
      if (next == null) {
        break;
      }
      window.add(next);
      longest = Math.max(longest, next.length());
    }
    queue.drainTo(window, config.maxBatchSize() * WINDOW_BATCHES - window.size());
  }

  private void run(List<PendingInput> batch) {
    List<TokenizedText> texts = new ArrayList<>(batch.size());
    long start = System.nanoTime();
    int longest = 0;
    for (PendingInput input : batch) {
      texts.add(input.text());
      longest = Math.max(longest, input.length());
      observer.onQueueWait(start - input.enqueuedNanos());
    }
    try {
      float[][] vectors = model.embed(texts);
      observer.onBatch(batch.size(), batch.size() * longest, System.nanoTime() - start, false);
      for (int i = 0; i < batch.size(); i++) {
        PendingInput input = batch.get(i);
        if (input.request().complete(input.index(), vectors[i])) {
          responders.execute(input.request()::finish);
        }
      }
    } catch (RuntimeException | Error e) {
      observer.onBatch(batch.size(), batch.size() * longest, System.nanoTime() - start, true);
      LOG.error("forward pass over {} input(s) failed", batch.size(), e);
      InferenceException failure = new InferenceException(e);
      for (PendingInput input : batch) {
        responders.execute(() -> input.request().fail(failure));
      }
    }
  }

  /**
   * Stops taking work, embeds everything already accepted, then stops the worker.
   *
   * @return whether all accepted work finished within the timeout
   */
  public boolean drain(Duration timeout) throws InterruptedException {
    accepting = false;
    running = false;
    worker.join(timeout.toMillis());
    // a submission racing the shutdown may have slipped in after the worker's last look
    for (PendingInput left; (left = queue.poll()) != null; ) {
      left.request().fail(new BatcherClosedException());
    }
    responders.shutdown();
    return responders.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)
        && !worker.isAlive();
  }

  @Override
  public void close() {
    accepting = false;
    running = false;
    worker.interrupt();
    responders.shutdown();
  }
}
