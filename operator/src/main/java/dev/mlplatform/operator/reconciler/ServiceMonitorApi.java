package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.resources.ServiceMonitor;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the cluster serves the Prometheus Operator's {@code monitoring.coreos.com/v1}
 * ServiceMonitor, asked through API discovery ({@code GET /apis/monitoring.coreos.com/v1}) and
 * remembered for {@code recheck}, so a Prometheus Operator installed (or removed) after the
 * operator started is noticed without a restart, while all ModelServers together cost one request
 * per interval.
 *
 * <p>Discovery rather than reading the CustomResourceDefinition: it needs no access to
 * cluster-scoped CRDs (every authenticated client may read discovery), and it answers the question
 * an informer needs answered: it lists a kind only once its CRD is established and only in the
 * versions it serves.
 */
public final class ServiceMonitorApi {

  /** What discovery said. */
  public enum State {
    SERVED,
    NOT_SERVED,
    /** Discovery failed and nothing was known before. */
    UNKNOWN
  }

  /**
   * The answer for one reconciliation.
   *
   * @param detail why the state is UNKNOWN; empty otherwise
   * @param recheck how long until discovery is asked again
   */
  public record Availability(State state, String detail, Duration recheck) {
    public boolean served() {
      return state == State.SERVED;
    }
  }

  /** The discovery call, apart so that tests can count and script it. */
  @FunctionalInterface
  public interface Discovery {
    boolean serves(String apiVersion, String kind);
  }

  private static final Logger log = LoggerFactory.getLogger(ServiceMonitorApi.class);

  private final Discovery discovery;
  private final Duration recheck;
  private final Clock clock;
  private State state = State.UNKNOWN;
  private String detail = "";
  private Instant nextCheck = Instant.MIN;

  public ServiceMonitorApi(Discovery discovery, Duration recheck, Clock clock) {
    this.discovery = Objects.requireNonNull(discovery);
    this.recheck = Objects.requireNonNull(recheck);
    this.clock = Objects.requireNonNull(clock);
  }

  /** Asks {@code client}'s API server. */
  public static ServiceMonitorApi of(KubernetesClient client, Duration recheck, Clock clock) {
    return new ServiceMonitorApi(client::supports, recheck, clock);
  }

  public Duration recheckInterval() {
    return recheck;
  }

  /**
   * The cached answer, refreshed first when it is older than the interval. Concurrent callers wait
   * for the one refresh instead of each asking the API server.
   */
  public synchronized Availability availability() {
    Instant now = clock.instant();
    if (!now.isBefore(nextCheck)) {
      nextCheck = now.plus(recheck);
      refresh();
    }
    return new Availability(state, detail, recheck);
  }

  private void refresh() {
    State before = state;
    try {
      state =
          discovery.serves(ServiceMonitor.API_VERSION, ServiceMonitor.KIND)
              ? State.SERVED
              : State.NOT_SERVED;
      detail = "";
    } catch (RuntimeException e) {
      // keep the last answer: a discovery hiccup must not delete ServiceMonitors or stop informers
      log.warn(
          "API discovery of {} failed, keeping the last answer ({}): {}",
          ServiceMonitor.API_VERSION,
          state,
          e.getMessage());
      detail = state == State.UNKNOWN ? String.valueOf(e.getMessage()) : "";
      return;
    }
    if (state != before) {
      log.info(
          "the cluster {} {} {}",
          state == State.SERVED ? "serves" : "does not serve",
          ServiceMonitor.API_VERSION,
          ServiceMonitor.KIND);
    }
  }
}
