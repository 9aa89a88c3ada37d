package dev.mlplatform.operator.reconciler;

import dev.mlplatform.contract.ServerEnv;
import dev.mlplatform.contract.ServerSetting;
import dev.mlplatform.contract.ServerSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code spec.config} judged by the model server's own rules ({@link ServerSettings}): a key the
 * server does not read, a key the operator sets itself (the message names the field to use
 * instead), or a value the server's config loader would refuse at start-up. Each problem names
 * {@code spec.config.KEY}; the value is echoed except for secrets.
 */
final class ServerConfigValidator {
  static final String PREFIX = "spec.config.";

  private ServerConfigValidator() {}

  /**
   * @param queueSize the {@code MAX_QUEUE_SIZE} the operator renders from spec.batching, which
   *     bounds {@code MAX_INPUTS_PER_REQUEST}
   */
  static void check(List<String> problems, Map<String, String> config, int queueSize) {
    if (config == null) {
      return;
    }
    Map<String, String> settable = new HashMap<>();
    // sorted, so the condition's message is the same at every reconcile
    new TreeMap<>(config)
        .forEach(
            (key, value) -> {
              Optional<ServerSetting> setting = ServerSettings.find(key);
              if (setting.isEmpty()) {
                problems.add(
                    PREFIX
                        + key
                        + ": is not a setting of the model server; spec.config takes "
                        + String.join(", ", ServerSettings.userSettableKeys()));
              } else if (!setting.get().userSettable()) {
                problems.add(PREFIX + key + ": " + setting.get().owner().refusal());
              } else if (value == null) {
                problems.add(PREFIX + key + ": must have a value");
              } else {
                settable.put(key, value);
              }
            });
    // as the ConfigMap will hold them: the user's keys beside the queue size the operator sets
    settable.put(ServerEnv.MAX_QUEUE_SIZE, String.valueOf(queueSize));
    ServerSettings.check(settable).stream()
        .filter(p -> config.containsKey(p.key()))
        .forEach(p -> problems.add(PREFIX + p.key() + ": " + p.problem()));
  }
}
