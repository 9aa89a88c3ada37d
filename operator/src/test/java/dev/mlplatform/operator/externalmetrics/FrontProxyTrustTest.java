package dev.mlplatform.operator.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrontProxyTrustTest {

  private static final String CA =
      ServingCertificate.generate(List.of("front-proxy-ca"), Instant.now()).caPem();

  @Test
  void reads_what_the_api_server_publishes_for_aggregated_servers() {
    var settings =
        FrontProxyTrust.parse(
            new ConfigMapBuilder()
                .addToData("requestheader-client-ca-file", CA)
                .addToData("requestheader-allowed-names", "[\"front-proxy-client\"]")
                .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
                .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
                .build());
    assertThat(settings.clientCa()).hasSize(1);
    assertThat(settings.allowedNames()).containsExactly("front-proxy-client");
    assertThat(settings.userHeaders()).containsExactly("X-Remote-User");
    assertThat(settings.groupHeaders()).containsExactly("X-Remote-Group");
  }

  @Test
  void an_api_server_without_a_front_proxy_ca_is_refused_with_the_flag_to_set() {
    assertThatThrownBy(
            () ->
                FrontProxyTrust.parse(
                    new ConfigMapBuilder().addToData("client-ca-file", CA).build()))
        .hasMessageContaining("--requestheader-client-ca-file");
  }
}
