package dev.mlplatform.operator.resources;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;

/**
 * How many forward passes the model server runs side by side ({@code INFERENCE_WORKERS}) and with
 * how many intra-op threads each ({@code INFERENCE_THREADS}), sized to the pod's CPU budget. Left
 * to itself the server would size them to the CPUs the JVM sees, which without a CPU limit are the
 * node's cores, not what the pod requested and what the HPA scales on.
 *
 * @param workers forward passes side by side
 * @param threads intra-op threads per pass
 */
public record InferenceParallelism(int workers, int threads) {
  /** The server's own cap on default workers (model-server {@code ConfigLoader}). */
  static final int MAX_WORKERS = 4;

  /** The server's default split of {@code cpus}: single-threaded passes side by side, up to 4. */
  public static InferenceParallelism forCpus(int cpus) {
    int workers = Math.max(1, Math.min(cpus, MAX_WORKERS));
    return new InferenceParallelism(workers, Math.max(1, cpus / workers));
  }

  /** The CPU limit when set, else the request, rounded up to whole CPUs; 1 when neither is set. */
  public static int cpuBudget(ResourceRequirements resources) {
    Optional<Quantity> cpu =
        Optional.ofNullable(resources)
            .flatMap(
                r ->
                    Optional.ofNullable(cpu(r.getLimits()))
                        .or(() -> Optional.ofNullable(cpu(r.getRequests()))));
    return cpu.map(q -> q.getNumericalAmount().setScale(0, RoundingMode.CEILING))
        .map(BigDecimal::intValueExact)
        .map(n -> Math.max(1, n))
        .orElse(1);
  }

  private static Quantity cpu(Map<String, Quantity> quantities) {
    return quantities == null ? null : quantities.get("cpu");
  }
}
