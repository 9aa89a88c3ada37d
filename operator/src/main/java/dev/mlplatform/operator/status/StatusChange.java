package dev.mlplatform.operator.status;

import dev.mlplatform.operator.api.v1alpha1.ModelServerStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A ModelServer's status before and after one reconciliation: whether it must be written, and which
 * conditions moved. A transition is a new status or reason; a new message alone (another restart
 * count, another replica count) is not one, so Events mark transitions, not every change.
 *
 * @param previous the status the ModelServer carried (null before the first write)
 * @param next the status this reconciliation computed
 */
public record StatusChange(ModelServerStatus previous, ModelServerStatus next) {

  public StatusChange {
    Objects.requireNonNull(next);
  }

  /** One condition whose status or reason differs from before. */
  public record Transition(Optional<Condition> before, Condition after) {

    public String type() {
      return after.getType();
    }

    public boolean isTrue() {
      return ConditionTypes.TRUE.equals(after.getStatus());
    }
  }

  /** Whether the status must be written at all. */
  public boolean changed() {
    return !next.equals(previous);
  }

  /** The conditions of {@code next} whose status or reason differ from {@code previous}'s. */
  public List<Transition> transitions() {
    List<Transition> transitions = new ArrayList<>();
    if (next.getConditions() == null) {
      return transitions;
    }
    for (Condition after : next.getConditions()) {
      Optional<Condition> before = condition(previous, after.getType());
      boolean same =
          before.map(Condition::getStatus).equals(Optional.ofNullable(after.getStatus()))
              && before.map(Condition::getReason).equals(Optional.ofNullable(after.getReason()));
      if (!same) {
        transitions.add(new Transition(before, after));
      }
    }
    return transitions;
  }

  /** The transition of condition {@code type}, if it made one. */
  public Optional<Transition> transition(String type) {
    return transitions().stream().filter(t -> t.type().equals(type)).findFirst();
  }

  /** Whether condition {@code type} differs from before in status, reason or message. */
  public boolean conditionChanged(String type) {
    Optional<Condition> before = condition(previous, type);
    Optional<Condition> after = condition(next, type);
    return !before.map(Condition::getStatus).equals(after.map(Condition::getStatus))
        || !before.map(Condition::getReason).equals(after.map(Condition::getReason))
        || !before.map(Condition::getMessage).equals(after.map(Condition::getMessage));
  }

  /** Condition {@code type} of the new status. */
  public Optional<Condition> condition(String type) {
    return condition(next, type);
  }

  private static Optional<Condition> condition(ModelServerStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
