package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.config.RetryPolicy;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelServerOperatorTest {

  private static List<Duration> josdkDelays(RetryPolicy policy) {
    RetryExecution execution = ModelServerOperator.retry(policy).initExecution();
    List<Duration> delays = new ArrayList<>();
    for (Optional<Long> next = execution.nextDelay();
        next.isPresent();
        next = execution.nextDelay()) {
      delays.add(Duration.ofMillis(next.get()));
      assertThat(delays).as("bounded").hasSizeLessThanOrEqualTo(1000);
    }
    return delays;
  }

  @Test
  void josdk_retries_exactly_as_the_retry_policy_documents() {
    RetryPolicy defaults = OperatorConfig.fromEnv(Map.of()).retry();
    assertThat(josdkDelays(defaults)).isEqualTo(defaults.delays()).hasSize(10);

    RetryPolicy small = new RetryPolicy(3, Duration.ofMillis(300), Duration.ofSeconds(1));
    assertThat(josdkDelays(small)).isEqualTo(small.delays());

    RetryPolicy none = new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(josdkDelays(none)).isEmpty();
  }
}
