package dev.mlplatform.bench;

import dev.mlplatform.server.inference.EmbeddingModel;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.inference.ModelFiles;
import dev.mlplatform.server.inference.OnnxRuntimeBackend;
import dev.mlplatform.server.inference.Pooling;
import dev.mlplatform.server.inference.TextTokenizer;
import dev.mlplatform.server.inference.TokenizedText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling the server is measured against: the engine alone, in-process, on pre-tokenised
 * sentences, at several batch sizes, with WORKERS threads each running passes of THREADS intra-op
 * threads side by side (as the server's batcher workers do). Prints one line per batch size and a
 * final {@code best} line.
 *
 * <p>Usage: {@code EngineThroughput SENTENCES_FILE MODEL_URI WORKERS THREADS SECONDS_PER_SIZE},
 * where MODEL_URI is {@code bundled:NAME} or {@code file:///dir} as the server takes it.
 */
public final class EngineThroughput {
  private EngineThroughput() {}

  public static void main(String[] args) throws Exception {
    List<String> sentences =
        Files.readAllLines(Path.of(args[0])).stream().filter(s -> !s.isBlank()).toList();
    String uri = args[1];
    int workers = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    double seconds = Double.parseDouble(args[4]);
    ModelFiles files = BenchModels.locate(uri);
    try (TextTokenizer tokenizer = new TextTokenizer(files.tokenizer(), 256);
        EmbeddingModel model = load(files, threads, tokenizer.tokenize(List.of("probe")).get(0))) {
      List<TokenizedText> tokens = tokenizer.tokenize(sentences);
      double meanTokens = tokens.stream().mapToInt(TokenizedText::length).average().orElse(0);
      System.out.printf(
          "engine %s, %d worker(s) x %d thread(s), %d sentences, %.1f tokens on average%n",
          model.engine(), workers, threads, sentences.size(), meanTokens);
      double best = 0;
      int bestBatch = 0;
      for (int batch : new int[] {1, 8, 16, 32, 64}) {
        double rate = measure(model, tokens, batch, workers, seconds);
        System.out.printf("batch %3d: %7.1f embeddings/s%n", batch, rate);
        if (rate > best) {
          best = rate;
          bestBatch = batch;
        }
      }
      System.out.printf("best %.1f embeddings/s at batch %d%n", best, bestBatch);
    }
  }

  /**
   * The server's runner for the engine, or with -Dbench.djl=true an ONNX model on DJL's ONNX
   * Runtime engine (TorchScript runs on DJL either way).
   */
  private static EmbeddingModel load(ModelFiles files, int threads, TokenizedText probe) {
    return Boolean.getBoolean("bench.djl") && files.engine().equals(OnnxRuntimeBackend.NAME)
        ? new OnnxRuntimeBackend().loadOnDjl(files, Pooling.MEAN, threads, probe)
        : EngineRegistry.standard().load(files, Pooling.MEAN, threads, probe);
  }

  private static double measure(
      EmbeddingModel model, List<TokenizedText> tokens, int batch, int workers, double seconds)
      throws InterruptedException {
    List<List<TokenizedText>> batches = new ArrayList<>();
    for (int i = 0; i + batch <= tokens.size() * 4; i += batch) {
      List<TokenizedText> b = new ArrayList<>(batch);
      for (int j = 0; j < batch; j++) {
        b.add(tokens.get((i + j) % tokens.size()));
      }
      batches.add(b);
    }
    long start = System.nanoTime() + (long) (seconds * 0.25e9); // the first quarter warms up
    long end = start + (long) (seconds * 1e9);
    // passes that begin in [start, end) count, over the time until the last of them ends
    AtomicLong embedded = new AtomicLong();
    AtomicLong lastEnd = new AtomicLong(start);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int offset = w * 7; // workers start at different sentences
      Thread thread =
          new Thread(
              () -> {
                for (int i = offset; ; i++) {
                  long began = System.nanoTime();
                  if (began >= end) {
                    return;
                  }
                  model.embed(batches.get(i % batches.size()));
                  if (began >= start) {
                    embedded.addAndGet(batch);
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return embedded.get() / ((lastEnd.get() - start) / 1e9);
  }
}
