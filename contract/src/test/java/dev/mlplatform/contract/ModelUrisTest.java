package dev.mlplatform.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelUrisTest {

  @Test
  void the_cel_rule_names_exactly_the_bundled_ids() {
    Matcher list =
        Pattern.compile("self\\.id in \\[([^\\]]*)\\]").matcher(ModelUris.ID_WITHOUT_URI_RULE);
    assertThat(list.find()).isTrue();
    assertThat(
            Arrays.stream(list.group(1).split(","))
                .map(s -> s.strip().replace("'", ""))
                .collect(Collectors.toSet()))
        .isEqualTo(ModelUris.BUNDLED_MODEL_IDS);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hf://a..b/c",
        "hf://org/name@a/../../etc",
        "hf://org/name@x..y",
        "https://10..1.2.3/m.tar.gz",
        "https://host.1x/m.tar.gz",
        "https://h/m.tar.gz?x=%zz",
        "https://h/a b.tar.gz",
        "pvc://Claim/x"
      })
  void near_misses_that_the_server_could_not_read_safely_are_refused(String uri) {
    assertThat(ModelUris.valid(uri)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hf://sentence-transformers/all-MiniLM-L6-v2",
        "hf://BAAI/bge-small-en-v1.5@refs/pr/3",
        "https://models.example:8443/a/b%20c.tar.gz?X-Amz-Signature=ab12&x=1",
        "http://10.0.0.1/m.zip#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      })
  void the_forms_users_write_are_accepted(String uri) {
    assertThat(ModelUris.valid(uri)).isTrue();
  }
}
