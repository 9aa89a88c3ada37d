package dev.mlplatform.server.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size, which the JVM's own meters do not show (natives are outside the
 * heap).
 */
final class ProcessMemory {
  private static final Path STATM = Path.of("/proc/self/statm");
  private static final long PAGE_SIZE = 4096;

  private ProcessMemory() {}

  static double residentBytes() {
    try {
      String[] fields = Files.readString(STATM).trim().split("\\s+");
      return Long.parseLong(fields[1]) * PAGE_SIZE;
    } catch (IOException | RuntimeException e) {
      return Double.NaN; // not Linux: the gauge shows no value rather than a wrong one
    }
  }
}
