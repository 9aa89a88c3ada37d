package dev.mlplatform.server.config;

/** A configuration value is missing or invalid; the message names the variable and the rule. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
