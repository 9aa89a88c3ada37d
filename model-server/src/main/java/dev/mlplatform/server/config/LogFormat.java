package dev.mlplatform.server.config;

/** How log lines are written: human-readable text, or one JSON object per line for collectors. */
public enum LogFormat {
  TEXT,
  JSON
}
