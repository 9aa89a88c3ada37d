package dev.mlplatform.operator.externalmetrics;

import java.util.OptionalDouble;

/**
 * Reads one metric out of the Prometheus text exposition format (version 0.0.4, what the model
 * server's Micrometer registry writes): the sum of its samples, or empty when it has none.
 */
final class PrometheusText {

  private PrometheusText() {}

  static OptionalDouble sum(String exposition, String metric) {
    double sum = 0;
    boolean found = false;
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(metric)) {
        continue;
      }
      int end = metric.length();
      if (line.length() == end || (line.charAt(end) != ' ' && line.charAt(end) != '{')) {
        continue; // another metric whose name starts with this one
      }
      String rest = line.substring(end);
      if (rest.startsWith("{")) {
        int close = rest.lastIndexOf('}');
        if (close < 0) {
          continue;
        }
        rest = rest.substring(close + 1);
      }
      String[] fields = rest.trim().split("\\s+");
      try {
        double value = Double.parseDouble(fields[0]);
        if (!Double.isNaN(value)) {
          sum += value;
          found = true;
        }
      } catch (NumberFormatException e) {
        // a malformed line counts as no sample
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }
}
