package dev.mlplatform.operator.externalmetrics;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the cluster's {@code external.metrics.k8s.io} is this operator's: the APIService {@code
 * v1beta1.external.metrics.k8s.io} (installed with the operator from {@code k8s/base}) must point
 * at the operator's own Service. Where another provider (KEDA, the Prometheus Adapter) owns it, the
 * operator leaves it alone and ModelServers asking for queue or concurrency scaling fall back to
 * CPU with a condition saying why. The answer is remembered for {@code recheck}, like {@code
 * ServiceMonitorApi}'s.
 *
 * <p>{@link #publishCaBundle} writes the serving certificate's CA into the APIService, so the
 * aggregator verifies the operator's certificate instead of skipping TLS verification.
 */
public final class ApiServiceRegistration {

  public static final String API_VERSION = "apiregistration.k8s.io/v1";
  public static final String KIND = "APIService";

  /** What the APIService says. */
  public enum State {
    /** Points at the operator's Service: the HPA may use external metrics. */
    SERVED,
    /** Points at another Service: someone else's external metrics. */
    OTHER_PROVIDER,
    /** No such APIService. */
    NOT_REGISTERED,
    /** The operator was started with the external-metrics API off. */
    DISABLED,
    /** It could not be read, and nothing was known before. */
    UNKNOWN
  }

  /** The answer for one reconciliation; {@code detail} says why it is not SERVED. */
  public record Availability(State state, String detail, Duration recheck) {
    public boolean served() {
      return state == State.SERVED;
    }
  }

  /** The Service the APIService must name to be this operator's. */
  public record ServiceRef(String namespace, String name) {}

  private static final Logger log = LoggerFactory.getLogger(ApiServiceRegistration.class);

  private final KubernetesClient client;
  private final Optional<ServiceRef> own;
  private final Duration recheck;
  private final Clock clock;
  private Availability last;
  private Instant nextCheck = Instant.MIN;
  private String failure;

  /** {@code own} empty: the operator does not serve the API (EXTERNAL_METRICS_PORT=0). */
  public ApiServiceRegistration(
      KubernetesClient client, Optional<ServiceRef> own, Duration recheck, Clock clock) {
    this.client = Objects.requireNonNull(client);
    this.own = Objects.requireNonNull(own);
    this.recheck = Objects.requireNonNull(recheck);
    this.clock = Objects.requireNonNull(clock);
    this.last = new Availability(State.UNKNOWN, "not checked yet", recheck);
  }

  /** The cached answer, refreshed when older than the recheck interval. */
  public synchronized Availability availability() {
    if (own.isEmpty()) {
      return new Availability(
          State.DISABLED,
          "the operator runs with EXTERNAL_METRICS_PORT=0 and does not serve "
              + ExternalMetric.GROUP,
          recheck);
    }
    if (failure != null) {
      return new Availability(State.DISABLED, failure, recheck);
    }
    Instant now = clock.instant();
    if (!now.isBefore(nextCheck)) {
      nextCheck = now.plus(recheck);
      refresh(own.get());
    }
    return last;
  }

  /** The operator could not start serving: reported as such until it restarts. */
  public synchronized void failed(String why) {
    failure = why;
  }

  /** Forgets the cached answer (after the caBundle was written, or in tests). */
  public synchronized void recheckNow() {
    nextCheck = Instant.MIN;
  }

  /**
   * Writes {@code caPem} as the APIService's caBundle when the APIService is this operator's;
   * returns what it found.
   */
  public Availability publishCaBundle(String caPem) {
    if (own.isEmpty()) {
      return availability();
    }
    GenericKubernetesResource service = apiService();
    Availability found = judge(service, own.get());
    if (found.served()) {
      String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
      Object current = spec(service).get("caBundle");
      if (!bundle.equals(current)) {
        client
            .genericKubernetesResources(API_VERSION, KIND)
            .withName(ExternalMetric.API_SERVICE)
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"caBundle\":\"" + bundle + "\",\"insecureSkipTLSVerify\":false}}");
        log.info("wrote the serving CA into APIService {}", ExternalMetric.API_SERVICE);
      }
    } else {
      log.warn("not serving {}: {}", ExternalMetric.GROUP, found.detail());
    }
    synchronized (this) {
      last = found;
      nextCheck = clock.instant().plus(recheck);
    }
    return found;
  }

  private void refresh(ServiceRef ref) {
    try {
      Availability next = judge(apiService(), ref);
      if (next.state() != last.state()) {
        log.info("APIService {}: {} {}", ExternalMetric.API_SERVICE, next.state(), next.detail());
      }
      last = next;
    } catch (RuntimeException e) {
      log.warn("cannot read APIService {}: {}", ExternalMetric.API_SERVICE, e.getMessage());
      if (last.state() == State.UNKNOWN) {
        last =
            new Availability(
                State.UNKNOWN,
                "cannot read APIService " + ExternalMetric.API_SERVICE + ": " + e.getMessage(),
                recheck);
      }
    }
  }

  private GenericKubernetesResource apiService() {
    return client
        .genericKubernetesResources(API_VERSION, KIND)
        .withName(ExternalMetric.API_SERVICE)
        .get();
  }

  private Availability judge(GenericKubernetesResource apiService, ServiceRef ref) {
    if (apiService == null) {
      return new Availability(
          State.NOT_REGISTERED,
          "APIService "
              + ExternalMetric.API_SERVICE
              + " does not exist (it comes with the operator's k8s/base)",
          recheck);
    }
    Map<String, Object> service = map(spec(apiService).get("service"));
    String namespace = String.valueOf(service.get("namespace"));
    String name = String.valueOf(service.get("name"));
    if (!ref.namespace().equals(namespace) || !ref.name().equals(name)) {
      String owner =
          service.isEmpty() ? "the API server itself" : "Service " + namespace + "/" + name;
      return new Availability(
          State.OTHER_PROVIDER,
          "APIService "
              + ExternalMetric.API_SERVICE
              + " belongs to another provider ("
              + owner
              + "), not this operator's Service "
              + ref.namespace()
              + "/"
              + ref.name(),
          recheck);
    }
    return new Availability(State.SERVED, availableMessage(apiService), recheck);
  }

  /** The aggregator's Available condition, for the status message. */
  private static String availableMessage(GenericKubernetesResource apiService) {
    Object status = apiService.getAdditionalProperties().get("status");
    Object conditions = map(status).get("conditions");
    if (conditions instanceof List<?> list) {
      for (Object c : list) {
        Map<String, Object> condition = map(c);
        if ("Available".equals(condition.get("type")) && !"True".equals(condition.get("status"))) {
          return "APIService not available yet: " + condition.get("message");
        }
      }
    }
    return "";
  }

  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return map(resource.getAdditionalProperties().get("spec"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
