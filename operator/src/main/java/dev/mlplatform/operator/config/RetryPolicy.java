package dev.mlplatform.operator.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a failed reconciliation of one ModelServer is retried: up to {@code maxAttempts} retries,
 * waiting {@code initialInterval} before the first two and twice as long before each later one, at
 * most {@code maxInterval}. After the last retry the operator stops retrying that ModelServer until
 * something changes (the ModelServer or one of its children) or {@code RECONCILE_INTERVAL} passes,
 * so a permanent failure costs a bounded number of API calls. This is JOSDK's {@code GenericRetry}
 * arithmetic, written down so that it can be documented and tested.
 *
 * @param maxAttempts retries after the first failure (0: none)
 * @param initialInterval wait before the first and the second retry
 * @param maxInterval longest wait between two retries
 */
public record RetryPolicy(int maxAttempts, Duration initialInterval, Duration maxInterval) {

  /** Each retry waits this many times as long as the one before (from the third on). */
  public static final double MULTIPLIER = 2.0;

  public RetryPolicy {
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be >= 0");
    }
    if (initialInterval.isNegative() || maxInterval.compareTo(initialInterval) < 0) {
      throw new IllegalArgumentException("need 0 <= initialInterval <= maxInterval");
    }
  }

  /** The wait before each retry, in order, as JOSDK's GenericRetryExecution computes them. */
  public List<Duration> delays() {
    List<Duration> delays = new ArrayList<>();
    long current = initialInterval.toMillis();
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 2) {
        current = Math.min((long) (current * MULTIPLIER), maxInterval.toMillis());
      }
      delays.add(Duration.ofMillis(current));
    }
    return delays;
  }

  /** Time from the first failure to the last retry. */
  public Duration retryingFor() {
    return delays().stream().reduce(Duration.ZERO, Duration::plus);
  }
}
