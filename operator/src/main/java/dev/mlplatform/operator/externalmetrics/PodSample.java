package dev.mlplatform.operator.externalmetrics;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What one pod's {@code /metrics} said of one metric, and when.
 *
 * @param value the gauge's value; empty when the scrape failed or the gauge was absent
 * @param problem why {@code value} is empty (for the log and the warning); empty otherwise
 * @param at when the pod answered (or failed to)
 */
public record PodSample(String pod, OptionalDouble value, String problem, Instant at) {

  public PodSample {
    Objects.requireNonNull(pod);
    Objects.requireNonNull(value);
    Objects.requireNonNull(problem);
    Objects.requireNonNull(at);
  }

  public static PodSample of(String pod, double value, Instant at) {
    return new PodSample(pod, OptionalDouble.of(value), "", at);
  }

  public static PodSample failed(String pod, String problem, Instant at) {
    return new PodSample(pod, OptionalDouble.empty(), problem, at);
  }
}
