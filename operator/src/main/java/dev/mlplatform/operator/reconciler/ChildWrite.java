package dev.mlplatform.operator.reconciler;

import java.util.Locale;

/** One write of a child during a reconciliation, e.g. the Deployment {@code a} was created. */
public record ChildWrite(Operation operation, String kind, String name) {

  /** What happened to the child; {@link #verb()} is the Event's reason. */
  public enum Operation {
    CREATED("Created"),
    UPDATED("Updated"),
    DELETED("Deleted");

    private final String verb;

    Operation(String verb) {
      this.verb = verb;
    }

    public String verb() {
      return verb;
    }

    /** The metric label: created, updated, deleted. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** "Deployment a": how the Event names the child. */
  public String child() {
    return kind + " " + name;
  }
}
