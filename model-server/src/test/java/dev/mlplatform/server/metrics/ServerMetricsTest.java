package dev.mlplatform.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerMetricsTest {

  @Test
  void model_load_time_is_still_exported_after_garbage_collection() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ServerMetrics metrics = new ServerMetrics(registry)) {
      metrics.modelLoaded("m", "OnnxRuntime", "1", Duration.ofMillis(1500));

      // The gauge used to hold the load time weakly: a scrape after the first GC read NaN.
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(20);
      }

      assertThat(registry.get("model_server_model_load").gauge().value()).isEqualTo(1.5);
    }
  }
}
