package dev.mlplatform.operator.externalmetrics;

import dev.mlplatform.operator.resources.ChildLabels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the external-metrics API last answered, on the operator's {@code /metrics} for dashboards
 * and alerts: {@code mlplatform_operator_external_metric_value} (the value the HPA got) and {@code
 * mlplatform_operator_external_metric_pods} by {@code state} (ready pods counted, missing). A
 * ModelServer's series go once the HPA has not asked for {@code retention}.
 */
public final class ExternalMetricsMeters {

  private record Key(String namespace, String modelServer, String metric) {}

  private static final class Last {
    volatile double value = Double.NaN;
    volatile double answered;
    volatile double missing;
    volatile Instant at;
    List<Gauge> gauges = List.of();
  }

  private final MeterRegistry registry;
  private final Duration retention;
  private final Clock clock;
  private final Map<Key, Last> last = new ConcurrentHashMap<>();

  public ExternalMetricsMeters(MeterRegistry registry, Duration retention, Clock clock) {
    this.registry = registry;
    this.retention = retention;
    this.clock = clock;
  }

  void served(
      String namespace, String selector, ExternalMetric metric, Optional<MetricValue> value) {
    Instant now = clock.instant();
    Key key = new Key(namespace, modelServer(selector), metric.metricName());
    Last entry = last.computeIfAbsent(key, k -> register(k));
    entry.value = value.map(MetricValue::value).orElse(Double.NaN);
    entry.answered = value.map(MetricValue::answered).orElse(0);
    entry.missing = value.map(v -> v.missing().size()).orElse(0);
    entry.at = now;
    last.entrySet()
        .removeIf(
            e -> {
              boolean old =
                  e.getValue().at != null && e.getValue().at.plus(retention).isBefore(now);
              if (old) {
                e.getValue().gauges.forEach(registry::remove);
              }
              return old;
            });
  }

  private Last register(Key key) {
    Last entry = new Last();
    Tags tags =
        Tags.of(
            "namespace", key.namespace(), "modelserver", key.modelServer(), "metric", key.metric());
    entry.gauges =
        List.of(
            Gauge.builder("mlplatform.operator.external.metric.value", entry, e -> e.value)
                .description("Value of an external metric last served to the HPA (NaN: none)")
                .tags(tags)
                .register(registry),
            Gauge.builder("mlplatform.operator.external.metric.pods", entry, e -> e.answered)
                .description("Ready pods behind the last value served, by state")
                .tags(tags.and("state", "answered"))
                .register(registry),
            Gauge.builder("mlplatform.operator.external.metric.pods", entry, e -> e.missing)
                .description("Ready pods behind the last value served, by state")
                .tags(tags.and("state", "missing"))
                .register(registry));
    return entry;
  }

  /** The ModelServer the HPA's selector names, or the selector itself for another query. */
  static String modelServer(String selector) {
    for (String term : selector.split(",")) {
      String[] kv = term.trim().split("=", 2);
      if (kv.length == 2 && kv[0].equals(ChildLabels.INSTANCE)) {
        return kv[1];
      }
    }
    return selector;
  }
}
