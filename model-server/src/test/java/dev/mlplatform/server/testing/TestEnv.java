package dev.mlplatform.server.testing;

import dev.mlplatform.server.config.ConfigLoader;
import dev.mlplatform.server.config.ServerConfig;
import java.util.HashMap;
import java.util.Map;

/** Server configuration for tests: ephemeral ports, two inference threads, a short drain. */
public final class TestEnv {
  private TestEnv() {}

  public static ServerConfig config(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("HTTP_PORT", "0");
    env.put("METRICS_PORT", "0");
    env.put("INFERENCE_THREADS", "2");
    env.put("SHUTDOWN_DRAIN_SECONDS", "0");
    env.putAll(overrides);
    return new ConfigLoader(env).load();
  }

  public static ServerConfig config() {
    return config(Map.of());
  }
}
