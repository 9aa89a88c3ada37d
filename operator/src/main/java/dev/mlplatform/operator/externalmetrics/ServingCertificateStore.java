package dev.mlplatform.operator.externalmetrics;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the serving certificate in a {@code kubernetes.io/tls} Secret, so that every operator
 * replica serves the same certificate and the APIService's caBundle fits them all: the first
 * replica to start creates it, the others read it; one that has expired (or will within {@link
 * #RENEW_BEFORE}) or does not cover the Service's names is replaced.
 */
public final class ServingCertificateStore {

  public static final Duration RENEW_BEFORE = Duration.ofDays(30);
  static final String CA_KEY = "ca.crt";
  static final String CERT_KEY = "tls.crt";
  static final String KEY_KEY = "tls.key";

  private static final Logger log = LoggerFactory.getLogger(ServingCertificateStore.class);

  private final KubernetesClient client;
  private final Clock clock;

  public ServingCertificateStore(KubernetesClient client, Clock clock) {
    this.client = Objects.requireNonNull(client);
    this.clock = Objects.requireNonNull(clock);
  }

  /** The DNS names the aggregator may dial the Service {@code service} in {@code namespace} by. */
  public static List<String> dnsNames(String namespace, String service) {
    return List.of(
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc.cluster.local",
        service + "." + namespace,
        service);
  }

  public ServingCertificate loadOrCreate(String namespace, String secret, String service) {
    List<String> names = dnsNames(namespace, service);
    for (int attempt = 0; attempt < 5; attempt++) {
      Secret existing = client.secrets().inNamespace(namespace).withName(secret).get();
      Optional<ServingCertificate> stored = Optional.ofNullable(existing).flatMap(this::read);
      if (stored.isPresent() && stored.get().usable(names, clock.instant(), RENEW_BEFORE)) {
        return stored.get();
      }
      ServingCertificate fresh = ServingCertificate.generate(names, clock.instant());
      Secret desired = secret(namespace, secret, fresh, existing);
      try {
        if (existing == null) {
          client.secrets().inNamespace(namespace).resource(desired).create();
          log.info(
              "created the external-metrics serving certificate in Secret {}/{}",
              namespace,
              secret);
        } else {
          // the resourceVersion makes a replica that lost the race re-read the winner's
          client.secrets().inNamespace(namespace).resource(desired).update();
          log.info(
              "renewed the external-metrics serving certificate in Secret {}/{}",
              namespace,
              secret);
        }
        return fresh;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("Secret " + namespace + "/" + secret + " kept changing");
  }

  private Optional<ServingCertificate> read(Secret secret) {
    Map<String, String> data = Optional.ofNullable(secret.getData()).orElse(Map.of());
    if (!data.containsKey(CA_KEY) || !data.containsKey(CERT_KEY) || !data.containsKey(KEY_KEY)) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new ServingCertificate(
              decode(data.get(CA_KEY)), decode(data.get(CERT_KEY)), decode(data.get(KEY_KEY))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Secret secret(
      String namespace, String name, ServingCertificate cert, Secret existing) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withResourceVersion(existing == null ? null : existing.getMetadata().getResourceVersion())
        .addToLabels("app.kubernetes.io/name", "mlplatform-operator")
        .addToLabels("app.kubernetes.io/component", "external-metrics")
        .endMetadata()
        .withType("kubernetes.io/tls")
        .addToData(CA_KEY, encode(cert.caPem()))
        .addToData(CERT_KEY, encode(cert.certPem()))
        .addToData(KEY_KEY, encode(cert.keyPem()))
        .build();
  }

  private static String encode(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }
}
