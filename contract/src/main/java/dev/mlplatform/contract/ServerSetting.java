package dev.mlplatform.contract;

import java.util.Map;
import java.util.Optional;

/**
 * One key of the model server's environment: the values it takes, its default, and whether the
 * operator sets it itself (then {@code spec.config} may not).
 *
 * @param defaultValue the server's default, or {@code null} when the server derives it (from the
 *     model, the CPUs, another key) or has none
 * @param owner how the operator sets the key, or {@code null} when {@code spec.config} may set it
 */
public record ServerSetting(String key, ValueRule rule, String defaultValue, Owner owner) {

  /**
   * The operator sets the key.
   *
   * @param useInstead the ModelServer field a user sets instead, or {@code null} when there is none
   * @param why a short reason, or {@code null}
   */
  public record Owner(String useInstead, String why) {
    /** For a refusal of the key in {@code spec.config}: {@code is set by the operator; use …}. */
    public String refusal() {
      return "is set by the operator"
          + (useInstead == null ? "" : "; use " + useInstead + " instead")
          + (why == null ? "" : " (" + why + ")");
    }
  }

  /** Whether {@code spec.config} may set the key. */
  public boolean userSettable() {
    return owner == null;
  }

  /**
   * What {@code env} sets the key to, trimmed; empty when it leaves it unset (absent or blank, or
   * for a secret the empty string: a secret of spaces is refused rather than taken as no secret).
   */
  public Optional<String> valueIn(Map<String, String> env) {
    String raw = env.get(key);
    if (raw == null || raw.isEmpty() || (raw.isBlank() && !(rule instanceof ValueRule.Secret))) {
      return Optional.empty();
    }
    return Optional.of(raw.strip());
  }

  /** The value {@code env} sets, else the default; empty when neither exists. */
  public Optional<String> effectiveIn(Map<String, String> env) {
    return valueIn(env).or(() -> Optional.ofNullable(defaultValue));
  }

  /** Why the value {@code env} sets breaks the rule; empty when it keeps it or leaves it unset. */
  public Optional<SettingProblem> problemIn(Map<String, String> env) {
    return valueIn(env).flatMap(rule::problem).map(problem -> new SettingProblem(key, problem));
  }
}
