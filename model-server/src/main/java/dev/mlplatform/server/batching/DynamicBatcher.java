package dev.mlplatform.server.batching;

import dev.mlplatform.server.inference.EmbeddingModel;
import dev.mlplatform.server.inference.TokenizedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the model runs. Submissions enter a bounded queue (counted in inputs, so a request
 * of 50 texts takes 50 slots). Model workers take turns at collecting: the collecting worker takes
 * the oldest input, waits at most {@code maxBatchDelay} for company unless a full batch is already
 * there, keeps one length-sorted batch, hands the turn on and runs its forward pass. So with {@code
 * workers > 1} one worker gathers the next batch while others run theirs, and what is waiting is
 * shared with the workers that are idle rather than run in one pass while they wait. HTTP threads
 * only tokenise and wait on a future.
 */
public final class DynamicBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

  /** How many batches' worth of inputs one window may sort by length. */
  private static final int WINDOW_BATCHES = 4;

  private final EmbeddingModel model;
  private final BatchingConfig config;
  private final BatchPlanner planner;
  private final BatchObserver observer;
  private final LinkedBlockingDeque<PendingInput> queue = new LinkedBlockingDeque<>();
  private final AtomicInteger reserved = new AtomicInteger();
  private final List<Thread> workers = new ArrayList<>();

  /** Held by the worker that is gathering the next window; the others are running the model. */
  private final ReentrantLock collecting = new ReentrantLock();

  /** Workers running a forward pass; the others are collecting or waiting for their turn. */
  private final AtomicInteger inPass = new AtomicInteger();

  /** How many inputs at the head of the queue the last turn put back (guarded by collecting). */
  private int carriedOver;

  /**
   * Completes requests, so that what hangs off their futures (normalising, serialising, writing the
   * response) never holds up the model thread.
   */
  private final ExecutorService responders;

  private volatile boolean accepting = true;
  private volatile boolean running = true;

  /** Recent inputs per second of one worker, for the Retry-After estimate. */
  private volatile double workerThroughput = 0;

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
    for (int i = 1; i <= config.workers(); i++) {
      Thread worker = new Thread(this::work, "batcher-" + i);
      worker.setDaemon(true);
      workers.add(worker);
    }
    workers.forEach(Thread::start);
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
    // the queue is full only while every worker is busy, so they all drain it
    double rate = workerThroughput * config.workers();
    if (rate <= 0) {
      return 1;
    }
    return (int) Math.max(1, Math.min(60, Math.ceil(waiting / rate)));
  }

  private void work() {
    while (running || !queue.isEmpty()) {
      try {
        List<PendingInput> batch = nextBatch();
        if (batch.isEmpty()) {
          continue;
        }
        long started = System.nanoTime();
        try {
          run(batch);
        } finally {
          inPass.decrementAndGet();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double rate = batch.size() / Math.max(seconds, 1e-6);
        double previous = workerThroughput;
        workerThroughput = previous == 0 ? rate : 0.8 * previous + 0.2 * rate;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("batcher loop failed; continuing", e);
      }
    }
  }

  /**
   * Takes the collecting turn: gathers a window of up to {@value #WINDOW_BATCHES} batches, sorts it
   * by length, keeps the batch holding the oldest input and puts the rest back at the head of the
   * queue, where the next collector (another worker, or this one after its pass) finds them.
   *
   * @return the inputs of one forward pass, counted in {@link #inPass} until the caller's pass
   *     ends; empty when nothing arrived within the poll interval
   */
  private List<PendingInput> nextBatch() throws InterruptedException {
    collecting.lockInterruptibly();
    try {
      long turnStarted = System.nanoTime();
      PendingInput first = queue.poll(100, TimeUnit.MILLISECONDS);
      if (first == null) {
        return List.of();
      }
      List<PendingInput> window = new ArrayList<>();
      window.add(first);
      // The delay counts from when this worker could have started on the input: the later of its
      // arrival and the start of this turn (the end of the worker's previous pass). Counting from
      // arrival alone would, under load, start each pass with only what queued during the last
      // one, and split steady traffic into two alternating half-size batches. Inputs put back by
      // the previous turn have waited their turn already.
      long deadline =
          carriedOver > 0
              ? turnStarted
              : Math.max(first.enqueuedNanos(), turnStarted) + config.maxBatchDelay().toNanos();
      fill(window, deadline);
      // Workers waiting for the turn would otherwise idle through this worker's pass (with one
      // thread each, a core each): share the window with them rather than run it all on one core.
      int idle = Math.max(0, config.workers() - 1 - inPass.get());
      int share = (window.size() + idle) / (idle + 1);
      List<PendingInput> batch =
          planner.plan(window, PendingInput::length, share).stream()
              .filter(planned -> planned.stream().anyMatch(input -> input == first))
              .findFirst()
              .orElseThrow();
      Set<PendingInput> taken = Collections.newSetFromMap(new IdentityHashMap<>());
      taken.addAll(batch);
      carriedOver = 0;
      for (int i = window.size() - 1; i >= 0; i--) {
        if (!taken.contains(window.get(i))) {
          queue.addFirst(window.get(i));
          carriedOver++;
        }
      }
      reserved.addAndGet(-batch.size());
      inPass.incrementAndGet(); // before the turn passes on: the next collector must not count us
      return batch;
    } finally {
      collecting.unlock();
    }
  }

  /** Adds inputs to the window until a batch is full or the oldest input's delay is spent. */
  private void fill(List<PendingInput> window, long deadline) throws InterruptedException {
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
   * Stops taking work, embeds everything already accepted, then stops the workers.
   *
   * @return whether all accepted work finished within the timeout
   */
  public boolean drain(Duration timeout) throws InterruptedException {
    accepting = false;
    running = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread worker : workers) {
      worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    // a submission racing the shutdown may have slipped in after the workers' last look
    for (PendingInput left; (left = queue.poll()) != null; ) {
      left.request().fail(new BatcherClosedException());
    }
    responders.shutdown();
    return responders.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)
        && workers.stream().noneMatch(Thread::isAlive);
  }

  @Override
  public void close() {
    accepting = false;
    running = false;
    workers.forEach(Thread::interrupt);
    responders.shutdown();
  }
}
