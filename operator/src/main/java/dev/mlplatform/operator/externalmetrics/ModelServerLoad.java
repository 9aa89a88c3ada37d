package dev.mlplatform.operator.externalmetrics;

import dev.mlplatform.operator.resources.ChildLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load of the model-server pods a label selector picks in one namespace: lists them, scrapes
 * the ready ones at once and sums the gauge ({@link LoadCalculator}). Only pods this operator
 * manages are scraped, so an external-metrics query cannot make the operator call arbitrary pods.
 *
 * <p>A failed scrape falls back to the pod's last good sample, which the calculator accepts only
 * while it is younger than its limit: one lost scrape does not flap the value, a pod that stays
 * silent is reported as missing.
 */
public final class ModelServerLoad {

  private static final Logger log = LoggerFactory.getLogger(ModelServerLoad.class);
  private static final String MANAGED = ChildLabels.MANAGED_BY + "=" + ChildLabels.MANAGER;

  private record Key(String podUid, ExternalMetric metric) {}

  private final KubernetesClient client;
  private final PodScraper scraper;
  private final LoadCalculator calculator;
  private final Clock clock;
  private final Duration keep;
  private final Map<Key, PodSample> lastGood = new ConcurrentHashMap<>();

  public ModelServerLoad(
      KubernetesClient client,
      PodScraper scraper,
      LoadCalculator calculator,
      Duration keep,
      Clock clock) {
    this.client = Objects.requireNonNull(client);
    this.scraper = Objects.requireNonNull(scraper);
    this.calculator = Objects.requireNonNull(calculator);
    this.keep = Objects.requireNonNull(keep);
    this.clock = Objects.requireNonNull(clock);
  }

  /**
   * The metric's value over the pods {@code selector} picks in {@code namespace}; empty when ready
   * pods exist and none could be read.
   */
  public Optional<MetricValue> value(String namespace, ExternalMetric metric, String selector) {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(namespace)
            .withLabelSelector(selector.isBlank() ? MANAGED : selector + "," + MANAGED)
            .list()
            .getItems();
    List<CompletableFuture<PodSample>> scrapes = new ArrayList<>();
    for (Pod pod : pods) {
      if (ready(pod)) {
        Key key = new Key(pod.getMetadata().getUid(), metric);
        scrapes.add(scraper.scrape(pod, metric).thenApply(sample -> remember(key, sample)));
      }
    }
    List<PodSample> samples = scrapes.stream().map(CompletableFuture::join).toList();
    Instant now = clock.instant();
    forgetOlderThan(now.minus(keep));
    Optional<MetricValue> value = calculator.value(samples, now);
    if (value.isEmpty() || !value.get().complete()) {
      log.warn(
          "{} in {} ({}): {} of {} ready pods without a fresh sample, {}: {}",
          metric.metricName(),
          namespace,
          selector,
          samples.size() - value.map(MetricValue::answered).orElse(0),
          samples.size(),
          value.isEmpty() ? "no value" : "counted at the others' mean",
          value.map(MetricValue::missing).orElseGet(() -> problems(samples)));
    }
    return value;
  }

  private PodSample remember(Key key, PodSample sample) {
    if (sample.value().isPresent()) {
      lastGood.put(key, sample);
      return sample;
    }
    PodSample previous = lastGood.get(key);
    return previous != null ? previous : sample;
  }

  private void forgetOlderThan(Instant oldest) {
    lastGood.values().removeIf(sample -> sample.at().isBefore(oldest));
  }

  private static Map<String, String> problems(List<PodSample> samples) {
    Map<String, String> problems = new TreeMap<>();
    samples.forEach(s -> problems.put(s.pod(), s.problem().isEmpty() ? "stale" : s.problem()));
    return problems;
  }

  /** Ready and not terminating: the Service sends it traffic. */
  static boolean ready(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
      return false;
    }
    return Optional.ofNullable(pod.getStatus().getConditions()).orElse(List.of()).stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
