package dev.mlplatform.contract;

/**
 * A server setting's value that the server would refuse.
 *
 * @param problem what is wrong, e.g. {@code must be a whole number from 1 to 64, got '0'}
 */
public record SettingProblem(String key, String problem) {
  /** As the server says it: {@code KEY must be …}. */
  @Override
  public String toString() {
    return key + " " + problem;
  }
}
