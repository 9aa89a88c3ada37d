package dev.mlplatform.operator.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingCertificateTest {

  private static final Instant NOW = Instant.parse("2026-12-05T04:00:00Z");
  private static final List<String> NAMES =
      ServingCertificateStore.dnsNames("mlplatform-system", "mlplatform-operator-external-metrics");
  private static final ServingCertificate CERT = ServingCertificate.generate(NAMES, NOW);

  @Test
  void covers_the_name_the_aggregator_dials_and_is_signed_by_its_own_ca() throws Exception {
    assertThat(NAMES).contains("mlplatform-operator-external-metrics.mlplatform-system.svc");
    assertThat(CERT.usable(NAMES, NOW, ServingCertificateStore.RENEW_BEFORE)).isTrue();
    CERT.certificate().verify(ServingCertificate.certificates(CERT.caPem()).get(0).getPublicKey());
    assertThat(CERT.certificate().getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    assertThat(CERT.keyManager().getCertificateChain("serving")).hasSize(2);
  }

  @Test
  void is_replaced_before_it_expires_or_when_the_service_is_renamed() {
    Instant late = NOW.plus(ServingCertificate.VALIDITY).minus(Duration.ofDays(10));
    assertThat(CERT.usable(NAMES, late, ServingCertificateStore.RENEW_BEFORE)).isFalse();
    List<String> renamed = ServingCertificateStore.dnsNames("mlplatform-system", "other");
    assertThat(CERT.usable(renamed, NOW, ServingCertificateStore.RENEW_BEFORE)).isFalse();
  }

  @Test
  void a_certificate_from_another_ca_is_not_usable() {
    ServingCertificate other = ServingCertificate.generate(NAMES, NOW);
    ServingCertificate mixed = new ServingCertificate(other.caPem(), CERT.certPem(), CERT.keyPem());
    assertThat(mixed.usable(NAMES, NOW, ServingCertificateStore.RENEW_BEFORE)).isFalse();
  }
}
