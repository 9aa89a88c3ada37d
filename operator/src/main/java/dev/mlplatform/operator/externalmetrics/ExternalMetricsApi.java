package dev.mlplatform.operator.externalmetrics;

import dev.mlplatform.operator.config.OperatorConfig.ExternalMetricsSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's external-metrics API, set up in the order the aggregator needs it: the shared
 * serving certificate ({@link ServingCertificateStore}), the front-proxy trust, the HTTPS server,
 * then the CA written into the APIService. Every replica serves (the Service spreads the queries);
 * it does not need the leader Lease, since it only reads.
 *
 * <p>A failure here does not stop the operator: ModelServers keep being reconciled, and those that
 * asked for queue or concurrency scaling scale on CPU with a condition giving the failure.
 */
public final class ExternalMetricsApi implements AutoCloseable {

  /** How long a pod's last good sample may stand in for a failed scrape. */
  public static final Duration SAMPLE_MAX_AGE = Duration.ofSeconds(30);

  public static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(ExternalMetricsApi.class);

  private final ExternalMetricsServer server;

  private ExternalMetricsApi(ExternalMetricsServer server) {
    this.server = server;
  }

  /** The Service reference the APIService must carry, or empty when serving is off. */
  public static Optional<ApiServiceRegistration.ServiceRef> serviceRef(
      ExternalMetricsSettings settings, KubernetesClient client) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    // the setting, else the client's namespace (the pod's own in a cluster), else "default"
    String namespace = settings.namespace();
    if (namespace == null) {
      namespace = client.getNamespace() != null ? client.getNamespace() : "default";
    }
    return Optional.of(new ApiServiceRegistration.ServiceRef(namespace, settings.service()));
  }

  /**
   * Starts serving, or returns empty (logged, and reported through {@code registration}) when it
   * cannot.
   */
  public static Optional<ExternalMetricsApi> start(
      KubernetesClient client,
      ExternalMetricsSettings settings,
      ApiServiceRegistration registration,
      MeterRegistry registry,
      Clock clock) {
    Optional<ApiServiceRegistration.ServiceRef> ref = serviceRef(settings, client);
    if (ref.isEmpty()) {
      return Optional.empty();
    }
    try {
      ServingCertificate certificate =
          new ServingCertificateStore(client, clock)
              .loadOrCreate(ref.get().namespace(), settings.tlsSecret(), ref.get().name());
      FrontProxyTrust trust = new FrontProxyTrust(client);
      trust.refresh();
      HttpClient http =
          HttpClient.newBuilder()
              .connectTimeout(SCRAPE_TIMEOUT)
              .executor(
                  Executors.newFixedThreadPool(
                      2,
                      r -> {
                        Thread t = new Thread(r, "external-metrics-scrape");
                        t.setDaemon(true);
                        return t;
                      }))
              .build();
      ModelServerLoad load =
          new ModelServerLoad(
              client,
              new PodScraper(http, SCRAPE_TIMEOUT, clock),
              new LoadCalculator(SAMPLE_MAX_AGE),
              SAMPLE_MAX_AGE.multipliedBy(2),
              clock);
      ExternalMetricsServer server =
          new ExternalMetricsServer(
              settings.port(),
              certificate,
              trust,
              new AccessReviews(client, Duration.ofSeconds(30), clock),
              load,
              new ExternalMetricsMeters(registry, Duration.ofMinutes(5), clock),
              clock);
      server.start();
      log.info("serving {} on port {}", ExternalMetric.GROUP_VERSION, server.port());
      registration.publishCaBundle(certificate.caPem());
      return Optional.of(new ExternalMetricsApi(server));
    } catch (IOException | RuntimeException e) {
      // an expected state (e.g. an API server without front-proxy settings): no stack trace
      log.error("cannot serve {}: {}", ExternalMetric.GROUP_VERSION, e.toString());
      log.debug("external-metrics start failure", e);
      registration.failed(
          "the operator could not start the external-metrics API: " + e.getMessage());
      return Optional.empty();
    }
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
