package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about a ModelServer, so {@code kubectl describe msrv NAME} tells what the
 * operator did. Like client-go's EventRecorder, recording is asynchronous and best effort: Events
 * are written by one background thread from a bounded queue, dropped (and logged) when the queue is
 * full, and a failure to write one never fails or slows a reconciliation.
 *
 * <p>Like client-go's EventCorrelator, an Event identical to one recorded in the last {@link
 * #AGGREGATION_WINDOW} (same ModelServer, type, reason and message) raises that Event's {@code
 * count} and {@code lastTimestamp} instead of adding another. Reconciliations can see a status a
 * moment old (the informer cache lags the operator's own status write), so the same transition may
 * be noticed twice; users then read "x2" rather than a second identical line.
 */
public final class ModelServerEvents implements AutoCloseable {

  private static final int QUEUE = 1024;

  /** How long {@link #close()} waits for queued Events to be written. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  /** Identical Events seen within this window are counted on one Event (client-go: 10 min). */
  static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);

  /** Recorded Events remembered for aggregation (client-go's LRU holds 4096). */
  private static final int REMEMBERED = 4096;

  public static final String COMPONENT = "mlplatform-operator";
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private static final Logger log = LoggerFactory.getLogger(ModelServerEvents.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final ExecutorService writer;

  /** Only the writer thread touches this: least recently recorded first. */
  private final Map<Key, Recorded> recorded =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Recorded> eldest) {
          return size() > REMEMBERED;
        }
      };

  public ModelServerEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.writer =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "event-recorder");
              t.setDaemon(true);
              return t;
            },
            (task, executor) -> {
              if (!executor.isShutdown()) {
                log.warn("event queue full; dropping an event");
              }
            });
  }

  public void normal(ModelServer server, String reason, String message) {
    record(server, NORMAL, reason, message);
  }

  public void warning(ModelServer server, String reason, String message) {
    record(server, WARNING, reason, message);
  }

  /**
   * Stops recording: Events already queued are written for up to {@code CLOSE_WAIT}, so the last
   * transitions before a shutdown still reach {@code kubectl describe}; later ones are dropped.
   */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        int dropped = writer.shutdownNow().size();
        log.warn("stopped with {} events not written", dropped);
      }
    } catch (InterruptedException e) {
      writer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** What makes two Events the same one, counted rather than repeated. */
  private record Key(String namespace, String uid, String type, String reason, String message) {}

  /** An Event this recorder wrote: its name, how often it happened and when it was last seen. */
  private record Recorded(String name, int count, Instant last) {}

  private void record(ModelServer server, String type, String reason, String message) {
    Instant now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
    String namespace = server.getMetadata().getNamespace();
    String text = message.length() > 1024 ? message.substring(0, 1024) : message;
    Key key = new Key(namespace, server.getMetadata().getUid(), type, reason, text);
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                server.getMetadata().getName()
                    + "."
                    + Long.toHexString(System.nanoTime())
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)))
            .withNamespace(namespace)
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(server.getApiVersion())
                    .withKind(server.getKind())
                    .withName(server.getMetadata().getName())
                    .withNamespace(namespace)
                    .withUid(server.getMetadata().getUid())
                    .withResourceVersion(server.getMetadata().getResourceVersion())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .withFirstTimestamp(timestamp(now))
            .withLastTimestamp(timestamp(now))
            .withCount(1)
            .build();
    writer.execute(
        () -> {
          try {
            write(key, event, now);
          } catch (RuntimeException e) {
            log.warn(
                "could not record {} event {} for {}/{}: {}",
                type,
                reason,
                namespace,
                server.getMetadata().getName(),
                e.getMessage());
          }
        });
  }

  private void write(Key key, Event event, Instant now) {
    Recorded earlier = recorded.get(key);
    if (earlier != null && earlier.last().plus(AGGREGATION_WINDOW).isAfter(now)) {
      Recorded again = new Recorded(earlier.name(), earlier.count() + 1, now);
      try {
        client
            .v1()
            .events()
            .inNamespace(key.namespace())
            .withName(earlier.name())
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"count\":" + again.count() + ",\"lastTimestamp\":\"" + timestamp(now) + "\"}");
        recorded.put(key, again);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
        // the Event expired (the API server keeps them an hour by default): write a new one
      }
    }
    client.v1().events().inNamespace(key.namespace()).resource(event).create();
    recorded.put(key, new Recorded(event.getMetadata().getName(), 1, now));
  }

  private static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }
}
