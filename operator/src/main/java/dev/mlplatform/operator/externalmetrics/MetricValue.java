package dev.mlplatform.operator.externalmetrics;

import java.util.List;
import java.util.Map;

/**
 * A ModelServer's value of one external metric, and how it was reached.
 *
 * @param value the sum over the ready pods, the missing ones counted at the mean of those that
 *     answered
 * @param readyPods pods that take traffic, whose load is measured
 * @param answered ready pods whose fresh sample is in {@code value}
 * @param missing ready pods without a fresh sample, each with why (unreachable, stale, no such
 *     gauge): reported, never counted as idle
 */
public record MetricValue(double value, int readyPods, int answered, Map<String, String> missing) {

  public MetricValue {
    missing = Map.copyOf(missing);
  }

  public boolean complete() {
    return missing.isEmpty();
  }

  public List<String> missingPods() {
    return missing.keySet().stream().sorted().toList();
  }
}
