package dev.mlplatform.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where one forward pass spends its time: an ONNX model on ONNX Runtime, on one intra-op thread
 * with every graph optimisation (as the server's workers run it), over passes of BATCH texts of
 * LENGTH tokens each, for SECONDS; prints the tokens per second and, from ONNX Runtime's own
 * profiler, each operator type's share of the kernel time. It answers whether a pass is bound by
 * its matrix products (nothing but fewer tokens or fewer bits makes it faster) or by the glue
 * around them (which graph fusions would remove).
 *
 * <p>Usage: {@code OpProfile MODEL_URI BATCH LENGTH SECONDS}, MODEL_URI as the server takes it.
 */
public final class OpProfile {
  private OpProfile() {}

  public static void main(String[] args) throws Exception {
    Path weights = BenchModels.locate(args[0]).weights();
    int batch = Integer.parseInt(args[1]);
    int length = Integer.parseInt(args[2]);
    double seconds = Double.parseDouble(args[3]);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Path profile = Files.createTempDirectory("op-profile").resolve("ort");
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.enableProfiling(profile.toString());
      try (OrtSession session = env.createSession(weights.toString(), options)) {
        double rate = run(env, session, batch, length, seconds);
        System.out.printf(
            "%s: passes of %d x %d tokens, 1 thread: %.0f tokens/s%n",
            args[0], batch, length, rate);
        printShares(Path.of(session.endProfiling()));
      }
    }
  }

  /**
   * Tokens per second over passes of all-real tokens (the mask is all ones, as for the longest text
   * of a pass).
   */
  private static double run(
      OrtEnvironment env, OrtSession session, int batch, int length, double seconds)
      throws Exception {
    long[] ids = new long[batch * length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1000 + (i * 7919L) % 20000; // word pieces, not special tokens
    }
    long[] ones = new long[ids.length];
    Arrays.fill(ones, 1L);
    long[] shape = {batch, length};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      for (String name : session.getInputNames()) {
        long[] data =
            switch (name) {
              case "attention_mask" -> ones;
              case "token_type_ids" -> new long[ids.length];
              default -> ids;
            };
        inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
      }
      Set<String> output = Set.of(session.getOutputNames().iterator().next());
      for (int i = 0; i < 10; i++) {
        session.run(inputs, output).close();
      }
      long start = System.nanoTime();
      long passes = 0;
      while (System.nanoTime() - start < seconds * 1e9) {
        session.run(inputs, output).close();
        passes++;
      }
      return passes * batch * length / ((System.nanoTime() - start) / 1e9);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private static void printShares(Path trace) throws Exception {
    Map<String, Long> micros = new TreeMap<>();
    for (JsonNode event : new ObjectMapper().readTree(trace.toFile())) {
      if ("Node".equals(event.path("cat").asText())
          && event.path("name").asText().endsWith("_kernel_time")) {
        micros.merge(
            event.path("args").path("op_name").asText(), event.path("dur").asLong(), Long::sum);
      }
    }
    long total = micros.values().stream().mapToLong(Long::longValue).sum();
    micros.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .filter(e -> e.getValue() * 1000 >= total)
        .forEach(
            e -> System.out.printf("  %-22s %5.1f %%%n", e.getKey(), 100.0 * e.getValue() / total));
    Files.deleteIfExists(trace);
  }
}
