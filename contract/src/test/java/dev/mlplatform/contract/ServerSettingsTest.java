package dev.mlplatform.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {

  @Test
  void every_key_named_in_server_env_has_a_setting_and_every_default_keeps_its_rule() {
    for (var field : ServerEnv.class.getFields()) {
      String key;
      try {
        key = (String) field.get(null);
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
      assertThat(ServerSettings.find(key)).as(key).isPresent();
    }
    for (ServerSetting setting : ServerSettings.ALL) {
      if (setting.defaultValue() != null) {
        assertThat(setting.rule().problem(setting.defaultValue())).as(setting.key()).isEmpty();
      }
    }
    assertThat(ServerSettings.check(Map.of())).isEmpty();
  }

  @Test
  void a_value_out_of_range_is_refused_naming_the_key_the_value_and_the_limit() {
    assertThat(ServerSettings.check(Map.of("INFERENCE_WORKERS", " 65 ")))
        .singleElement()
        .hasToString("INFERENCE_WORKERS must be a whole number from 1 to 64, got '65'");
  }

  @Test
  void numbers_are_ascii_digits_only() {
    var rule = new ValueRule.WholeNumber(0, 10);
    assertThat(rule.problem("7")).isEmpty();
    assertThat(rule.problem("+7")).isPresent();
    assertThat(rule.problem("\u0667")).as("Arabic-Indic seven").isPresent();
    assertThat(rule.problem("99999999999999999999")).isPresent();
  }

  @Test
  void words_are_taken_in_any_case() {
    assertThat(ServerSettings.check(Map.of("LOG_FORMAT", "JSON", "MODEL_ENGINE", "pytorch")))
        .isEmpty();
    assertThat(ServerSettings.check(Map.of("LOG_FORMAT", "xml")))
        .singleElement()
        .hasToString("LOG_FORMAT must be text or json, got 'xml'");
  }

  @Test
  void blank_means_unset_but_a_secret_of_spaces_is_refused_without_echoing_it() {
    assertThat(ServerSettings.check(Map.of("MAX_BATCH_TOKENS", "  "))).isEmpty();
    assertThat(ServerSettings.check(Map.of("API_KEY", ""))).isEmpty();
    assertThat(ServerSettings.check(Map.of("API_KEY", "                 ")))
        .singleElement()
        .hasToString("API_KEY must be at least 16 characters long");
    assertThat(ServerSettings.check(Map.of("API_KEY", "short-secret")).toString())
        .doesNotContain("short-secret");
  }

  @Test
  void inputs_per_request_must_fit_the_queue_given_or_defaulted() {
    assertThat(ServerSettings.check(Map.of("MAX_QUEUE_SIZE", "10", "MAX_INPUTS_PER_REQUEST", "11")))
        .singleElement()
        .hasToString("MAX_INPUTS_PER_REQUEST must be at most MAX_QUEUE_SIZE (10), got '11'");
    assertThat(ServerSettings.check(Map.of("MAX_INPUTS_PER_REQUEST", "1025")))
        .singleElement()
        .extracting(SettingProblem::key)
        .isEqualTo("MAX_INPUTS_PER_REQUEST");
    assertThat(ServerSettings.check(Map.of("MAX_INPUTS_PER_REQUEST", "1024"))).isEmpty();
  }

  @Test
  void the_two_ports_must_differ_unless_both_are_chosen_freely() {
    assertThat(ServerSettings.check(Map.of("HTTP_PORT", "9090")))
        .singleElement()
        .hasToString("METRICS_PORT must differ from HTTP_PORT (both are 9090)");
    assertThat(ServerSettings.check(Map.of("HTTP_PORT", "0", "METRICS_PORT", "0"))).isEmpty();
  }

  @Test
  void an_owned_key_names_the_field_to_use_instead() {
    assertThat(ServerSettings.of("API_KEY").owner().refusal())
        .isEqualTo(
            "is set by the operator; use spec.auth.apiKeySecretRef instead (a secret does not"
                + " belong in the ConfigMap)");
    assertThat(ServerSettings.of("MAX_BATCH_SIZE").owner().refusal())
        .isEqualTo("is set by the operator; use spec.batching.maxBatchSize instead");
    assertThat(ServerSettings.userSettableKeys())
        .containsExactly(
            "MAX_BATCH_TOKENS",
            "MAX_INPUTS_PER_REQUEST",
            "MAX_REQUEST_BYTES",
            "INFERENCE_WORKERS",
            "INFERENCE_THREADS",
            "SHUTDOWN_DRAIN_SECONDS",
            "MAX_CONNECTION_AGE_SECONDS",
            "LOG_FORMAT",
            "HF_ENDPOINT",
            "JAVA_OPTS");
  }

  @Test
  void the_crd_rule_names_every_key_and_its_message_every_key_spec_config_may_set() {
    String listed =
        ServerSettings.ALL.stream()
            .map(s -> "'" + s.key() + "'")
            .collect(java.util.stream.Collectors.joining(", "));
    assertThat(ServerSettings.KNOWN_KEYS_RULE).isEqualTo("self.all(k, k in [" + listed + "])");
    assertThat(ServerSettings.KNOWN_KEYS_MESSAGE)
        .endsWith(": " + String.join(", ", ServerSettings.userSettableKeys()));
    assertThat(ServerSettings.ALL).hasSizeLessThanOrEqualTo(ServerSettings.MAX_KEYS);
  }
}
