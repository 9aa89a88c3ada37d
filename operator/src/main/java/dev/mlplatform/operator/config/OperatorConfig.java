package dev.mlplatform.operator.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's configuration, read once from the environment at start-up and injected from there.
 * Every setting has a default and a description ({@link #OPTIONS}); an invalid value stops start-up
 * with a message naming the variable.
 *
 * @param watchNamespaces namespaces whose ModelServers are reconciled; empty means all
 * @param defaultServerImage image of pods whose ModelServer sets no spec.image
 * @param reconcileInterval longest time between two reconciliations of one ModelServer
 * @param leaderElection whether replicas elect a leader through a Lease before reconciling
 * @param leaseName name of that Lease
 * @param leaseNamespace namespace of that Lease; null means the operator pod's own namespace
 * @param managementPort port of /metrics, /healthz and /readyz
 * @param reconcileThreads ModelServers reconciled at once
 * @param monitoringApiCheckInterval how long the answer of API discovery for the ServiceMonitor API
 *     is trusted before the operator asks again
 * @param retry how a failed reconciliation of one ModelServer is retried
 * @param metricsRetention how long a deleted ModelServer's own series stay on /metrics
 * @param externalMetrics the external-metrics API the operator serves to the HPA
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    String defaultServerImage,
    Duration reconcileInterval,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    int managementPort,
    int reconcileThreads,
    Duration monitoringApiCheckInterval,
    RetryPolicy retry,
    Duration metricsRetention,
    ExternalMetricsSettings externalMetrics) {

  /**
   * Where the operator serves {@code external.metrics.k8s.io}.
   *
   * @param port HTTPS port; 0 serves nothing, and queue/concurrency ModelServers scale on CPU
   * @param namespace the operator's namespace (its Service and TLS Secret); null means the client's
   *     (in-cluster) namespace
   * @param service the Service the APIService points at
   * @param tlsSecret the Secret holding the serving certificate all replicas share
   */
  public record ExternalMetricsSettings(
      int port, String namespace, String service, String tlsSecret) {
    public boolean enabled() {
      return port != 0;
    }
  }

  /** The same settings on another management port (tests bind port 0, which the env refuses). */
  public OperatorConfig withManagementPort(int port) {
    return new OperatorConfig(
        watchNamespaces,
        defaultServerImage,
        reconcileInterval,
        leaderElection,
        leaseName,
        leaseNamespace,
        port,
        reconcileThreads,
        monitoringApiCheckInterval,
        retry,
        metricsRetention,
        externalMetrics);
  }

  /**
   * The same settings with another external-metrics setup (tests pick a free port themselves: port
   * 0 here means "serve nothing").
   */
  public OperatorConfig withExternalMetrics(ExternalMetricsSettings settings) {
    return new OperatorConfig(
        watchNamespaces,
        defaultServerImage,
        reconcileInterval,
        leaderElection,
        leaseName,
        leaseNamespace,
        managementPort,
        reconcileThreads,
        monitoringApiCheckInterval,
        retry,
        metricsRetention,
        settings);
  }

  /** One environment variable the operator reads. */
  public record Option(String env, String defaultValue, String description) {}

  public static final Option WATCH_NAMESPACES =
      new Option(
          "WATCH_NAMESPACES",
          "",
          "Comma-separated namespaces to watch; empty watches all namespaces (needs the"
              + " ClusterRole).");
  public static final Option DEFAULT_SERVER_IMAGE =
      new Option(
          "DEFAULT_SERVER_IMAGE",
          "mlplatform/model-server:0.1.0",
          "Model server image for ModelServers that leave spec.image empty.");
  public static final Option RECONCILE_INTERVAL =
      new Option(
          "RECONCILE_INTERVAL",
          "10m",
          "Longest time between two reconciliations of a ModelServer even without events"
              + " (e.g. 30s, 10m, 1h or ISO-8601 PT10M).");
  public static final Option LEADER_ELECTION =
      new Option(
          "LEADER_ELECTION",
          "true",
          "true: replicas elect a leader through a coordination.k8s.io Lease; false: reconcile"
              + " at once (one replica only).");
  public static final Option LEADER_ELECTION_LEASE_NAME =
      new Option("LEADER_ELECTION_LEASE_NAME", "mlplatform-operator", "Name of the Lease.");
  public static final Option LEADER_ELECTION_NAMESPACE =
      new Option(
          "LEADER_ELECTION_NAMESPACE",
          "",
          "Namespace of the Lease; empty means the operator pod's own namespace.");
  public static final Option MANAGEMENT_PORT =
      new Option("MANAGEMENT_PORT", "8081", "Port serving /metrics, /healthz and /readyz.");
  public static final Option RECONCILE_THREADS =
      new Option("RECONCILE_THREADS", "10", "ModelServers reconciled concurrently (1..100).");
  public static final Option RETRY_MAX_ATTEMPTS =
      new Option(
          "RETRY_MAX_ATTEMPTS",
          "10",
          "Retries of a failed reconciliation (0..1000); then the operator waits for the next"
              + " change or RECONCILE_INTERVAL.");
  public static final Option RETRY_INITIAL_INTERVAL =
      new Option(
          "RETRY_INITIAL_INTERVAL",
          "1s",
          "Wait before the first two retries; each later retry waits twice as long as the one"
              + " before.");
  public static final Option RETRY_MAX_INTERVAL =
      new Option(
          "RETRY_MAX_INTERVAL",
          "1m",
          "Longest wait between two retries (at least RETRY_INITIAL_INTERVAL).");

  public static final Option MONITORING_API_CHECK_INTERVAL =
      new Option(
          "MONITORING_API_CHECK_INTERVAL",
          "1m",
          "How often the operator asks API discovery whether the Prometheus Operator's"
              + " ServiceMonitor API is served (so one installed or removed later is noticed), and"
              + " how soon a ModelServer waiting for it is reconciled again (e.g. 30s, 1m).");

  public static final Option METRICS_RETENTION_AFTER_DELETE =
      new Option(
          "METRICS_RETENTION_AFTER_DELETE",
          "30s",
          "How long a deleted ModelServer's own series (JOSDK's per-ModelServer counters) stay"
              + " on /metrics, so a last scrape sees their final values (1s..1h).");

  public static final Option EXTERNAL_METRICS_PORT =
      new Option(
          "EXTERNAL_METRICS_PORT",
          "6443",
          "HTTPS port of the external.metrics.k8s.io API the HPA reads queue and concurrency"
              + " from; 0 serves nothing (such ModelServers then scale on CPU).");
  public static final Option EXTERNAL_METRICS_NAMESPACE =
      new Option(
          "EXTERNAL_METRICS_NAMESPACE",
          "",
          "The operator's namespace, where its external-metrics Service and TLS Secret live;"
              + " empty means the pod's own namespace.");
  public static final Option EXTERNAL_METRICS_SERVICE =
      new Option(
          "EXTERNAL_METRICS_SERVICE",
          "mlplatform-operator-external-metrics",
          "The Service the APIService v1beta1.external.metrics.k8s.io must point at for the"
              + " operator to treat the API as its own.");
  public static final Option EXTERNAL_METRICS_TLS_SECRET =
      new Option(
          "EXTERNAL_METRICS_TLS_SECRET",
          "mlplatform-operator-external-metrics-tls",
          "Secret holding the external-metrics serving certificate and its CA, created by the"
              + " first replica and shared by all.");

  public static final List<Option> OPTIONS =
      List.of(
          WATCH_NAMESPACES,
          DEFAULT_SERVER_IMAGE,
          RECONCILE_INTERVAL,
          LEADER_ELECTION,
          LEADER_ELECTION_LEASE_NAME,
          LEADER_ELECTION_NAMESPACE,
          MANAGEMENT_PORT,
          RECONCILE_THREADS,
          MONITORING_API_CHECK_INTERVAL,
          RETRY_MAX_ATTEMPTS,
          RETRY_INITIAL_INTERVAL,
          RETRY_MAX_INTERVAL,
          METRICS_RETENTION_AFTER_DELETE,
          EXTERNAL_METRICS_PORT,
          EXTERNAL_METRICS_NAMESPACE,
          EXTERNAL_METRICS_SERVICE,
          EXTERNAL_METRICS_TLS_SECRET);

  private static final Pattern SHORT_DURATION = Pattern.compile("^(\\d+)(ms|s|m|h)$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  public OperatorConfig {
    watchNamespaces = Set.copyOf(watchNamespaces);
  }

  /** Reads every option from {@code env}, applying defaults; throws naming a bad variable. */
  public static OperatorConfig fromEnv(Map<String, String> env) {
    Set<String> namespaces = new LinkedHashSet<>();
    Arrays.stream(value(env, WATCH_NAMESPACES).split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .forEach(
            ns -> {
              if (!DNS_LABEL.matcher(ns).matches()) {
                throw invalid(WATCH_NAMESPACES, ns, "a namespace name");
              }
              namespaces.add(ns);
            });
    String image = value(env, DEFAULT_SERVER_IMAGE);
    if (image.isEmpty() || image.contains(" ")) {
      throw invalid(DEFAULT_SERVER_IMAGE, image, "an image reference");
    }
    Duration interval = duration(env, RECONCILE_INTERVAL, Duration.ofSeconds(1));
    Duration monitoringApiCheck =
        duration(env, MONITORING_API_CHECK_INTERVAL, Duration.ofSeconds(1));
    Duration retryInitial = duration(env, RETRY_INITIAL_INTERVAL, Duration.ofMillis(10));
    Duration retryMax = duration(env, RETRY_MAX_INTERVAL, retryInitial);
    Duration metricsRetention =
        duration(env, METRICS_RETENTION_AFTER_DELETE, Duration.ofSeconds(1));
    if (metricsRetention.compareTo(Duration.ofHours(1)) > 0) {
      throw invalid(
          METRICS_RETENTION_AFTER_DELETE, value(env, METRICS_RETENTION_AFTER_DELETE), "at most 1h");
    }
    boolean leader =
        switch (value(env, LEADER_ELECTION).toLowerCase(Locale.ROOT)) {
          case "true", "on", "yes" -> true;
          case "false", "off", "no" -> false;
          default -> throw invalid(LEADER_ELECTION, value(env, LEADER_ELECTION), "true or false");
        };
    String leaseNamespace = value(env, LEADER_ELECTION_NAMESPACE);
    String metricsNamespace = value(env, EXTERNAL_METRICS_NAMESPACE);
    for (Option name :
        List.of(
            EXTERNAL_METRICS_NAMESPACE, EXTERNAL_METRICS_SERVICE, EXTERNAL_METRICS_TLS_SECRET)) {
      String v = value(env, name);
      if (!v.isEmpty() && !DNS_LABEL.matcher(v).matches()) {
        throw invalid(name, v, "a DNS label (lower-case letters, digits and '-')");
      }
    }
    return new OperatorConfig(
        namespaces,
        image,
        interval,
        leader,
        value(env, LEADER_ELECTION_LEASE_NAME),
        leaseNamespace.isEmpty() ? null : leaseNamespace,
        integer(env, MANAGEMENT_PORT, 1, 65535),
        integer(env, RECONCILE_THREADS, 1, 100),
        monitoringApiCheck,
        new RetryPolicy(integer(env, RETRY_MAX_ATTEMPTS, 0, 1000), retryInitial, retryMax),
        metricsRetention,
        new ExternalMetricsSettings(
            integer(env, EXTERNAL_METRICS_PORT, 0, 65535),
            metricsNamespace.isEmpty() ? null : metricsNamespace,
            value(env, EXTERNAL_METRICS_SERVICE),
            value(env, EXTERNAL_METRICS_TLS_SECRET)));
  }

  private static String value(Map<String, String> env, Option option) {
    String value = env.get(option.env());
    return value == null || value.isBlank() ? option.defaultValue() : value.trim();
  }

  private static int integer(Map<String, String> env, Option option, int min, int max) {
    String raw = value(env, option);
    try {
      int parsed = Integer.parseInt(raw);
      if (parsed < min || parsed > max) {
        throw invalid(option, raw, "in " + min + ".." + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw invalid(option, raw, "a whole number in " + min + ".." + max);
    }
  }

  private static Duration duration(Map<String, String> env, Option option, Duration min) {
    String raw = value(env, option);
    Duration duration = duration(option, raw);
    if (duration.compareTo(min) < 0) {
      throw invalid(option, raw, "at least " + format(min));
    }
    return duration;
  }

  /** A duration as these settings are usually written: 10m, 30s, 1h, 300ms. */
  public static String format(Duration duration) {
    long seconds = duration.toSeconds();
    if (duration.toMillis() % 1000 != 0) {
      return duration.toMillis() + "ms";
    }
    if (seconds != 0 && seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds != 0 && seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }

  private static Duration duration(Option option, String raw) {
    Matcher m = SHORT_DURATION.matcher(raw.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(raw.toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw invalid(option, raw, "a duration such as 30s, 10m or PT10M");
    }
  }

  private static IllegalArgumentException invalid(Option option, String value, String expected) {
    return new IllegalArgumentException(
        option.env() + " must be " + expected + ", got '" + value + "'");
  }
}
