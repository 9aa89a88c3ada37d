package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
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
 */
public final class ModelServerEvents {

  private static final int QUEUE = 1024;

  public static final String COMPONENT = "mlplatform-operator";
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private static final Logger log = LoggerFactory.getLogger(ModelServerEvents.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final ExecutorService writer;

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
            (task, executor) -> log.warn("event queue full; dropping an event"));
  }

  public void normal(ModelServer server, String reason, String message) {
    record(server, NORMAL, reason, message);
  }

  public void warning(ModelServer server, String reason, String message) {
    record(server, WARNING, reason, message);
  }

  private void record(ModelServer server, String type, String reason, String message) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
    String namespace = server.getMetadata().getNamespace();
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
            .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    writer.execute(
        () -> {
          try {
            client.v1().events().inNamespace(namespace).resource(event).create();
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
}
