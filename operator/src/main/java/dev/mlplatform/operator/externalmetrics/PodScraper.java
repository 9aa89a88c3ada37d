package dev.mlplatform.operator.externalmetrics;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a gauge from a model-server pod's {@code /metrics}, at the pod IP and its container port
 * named {@code metrics}, with a short timeout so that one hung pod cannot delay the HPA's answer.
 */
public final class PodScraper {

  static final String METRICS_PORT_NAME = "metrics";

  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  public PodScraper(HttpClient http, Duration timeout, Clock clock) {
    this.http = Objects.requireNonNull(http);
    this.timeout = Objects.requireNonNull(timeout);
    this.clock = Objects.requireNonNull(clock);
  }

  /** The pod's sample of {@code metric}; never fails, a failure is a sample with a problem. */
  public CompletableFuture<PodSample> scrape(Pod pod, ExternalMetric metric) {
    String name = pod.getMetadata().getName();
    Optional<URI> uri = metricsUri(pod);
    if (uri.isEmpty()) {
      return CompletableFuture.completedFuture(
          PodSample.failed(name, "no pod IP or no container port named metrics", clock.instant()));
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri.get())
            .timeout(timeout)
            .header("Accept", "text/plain;version=0.0.4")
            .GET()
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, error) -> {
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                return PodSample.failed(
                    name, "scrape of " + uri.get() + " failed: " + cause, clock.instant());
              }
              if (response.statusCode() != 200) {
                return PodSample.failed(
                    name,
                    "scrape of " + uri.get() + " answered HTTP " + response.statusCode(),
                    clock.instant());
              }
              OptionalDouble value = PrometheusText.sum(response.body(), metric.metricName());
              return value.isPresent()
                  ? PodSample.of(name, value.getAsDouble(), clock.instant())
                  : PodSample.failed(
                      name,
                      "no " + metric.metricName() + " on " + uri.get() + " (an older server?)",
                      clock.instant());
            });
  }

  static Optional<URI> metricsUri(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) {
      return Optional.empty();
    }
    for (Container container : pod.getSpec().getContainers()) {
      for (ContainerPort port : Optional.ofNullable(container.getPorts()).orElse(List.of())) {
        if (METRICS_PORT_NAME.equals(port.getName())) {
          String host = ip.contains(":") ? "[" + ip + "]" : ip;
          return Optional.of(
              URI.create("http://" + host + ":" + port.getContainerPort() + "/metrics"));
        }
      }
    }
    return Optional.empty();
  }
}
