package dev.mlplatform.operator.externalmetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the ready pods' samples of one gauge into the ModelServer's value. Pods that are not ready
 * are not part of it: the Service sends them no traffic, so they queue nothing. A ready pod without
 * a fresh sample (unreachable, answering without the gauge as an older server version would, or
 * last heard from longer than {@code maxAge} ago) is counted at the mean of the pods that answered,
 * so one lost scrape neither hides load nor invents it; when no ready pod answered there is no
 * value, and the HPA keeps the replicas it has.
 */
public final class LoadCalculator {

  private final Duration maxAge;

  public LoadCalculator(Duration maxAge) {
    this.maxAge = maxAge;
  }

  /** The value at {@code now}, or empty when ready pods exist and none has a fresh sample. */
  public Optional<MetricValue> value(Collection<PodSample> readyPods, Instant now) {
    Instant oldest = now.minus(maxAge);
    double sum = 0;
    int answered = 0;
    Map<String, String> missing = new LinkedHashMap<>();
    for (PodSample sample : readyPods) {
      if (sample.value().isEmpty()) {
        missing.put(sample.pod(), sample.problem());
      } else if (sample.at().isBefore(oldest)) {
        missing.put(
            sample.pod(),
            "stale: last sample "
                + Duration.between(sample.at(), now).toSeconds()
                + " s old (limit "
                + maxAge.toSeconds()
                + " s)");
      } else {
        sum += sample.value().getAsDouble();
        answered++;
      }
    }
    if (answered == 0 && !missing.isEmpty()) {
      return Optional.empty();
    }
    double value = answered == 0 ? 0 : sum * readyPods.size() / answered;
    return Optional.of(new MetricValue(value, readyPods.size(), answered, missing));
  }
}
