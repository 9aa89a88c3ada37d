package dev.mlplatform.server.fetch;

import dev.mlplatform.contract.FetchProgress;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs a download's {@link FetchProgress} line at most once per {@link FetchProgress#INTERVAL}
 * while bytes arrive, and once at the end, so that the operator can show how far a long download
 * has got. Files already complete count as done; the file being written counts with the bytes it
 * holds, a resumed part included.
 */
final class ProgressMeter {
  private final String source;
  private final long total;
  private final LongSupplier nanoTime;
  private final Consumer<String> log;
  private long completed;
  private long current;
  private long lastLogged;

  /**
   * @param total bytes of the whole download, or -1 when unknown
   * @param nanoTime {@link System#nanoTime}, or a test's clock
   */
  ProgressMeter(String source, long total, LongSupplier nanoTime, Consumer<String> log) {
    this.source = source;
    this.total = total;
    this.nanoTime = nanoTime;
    this.log = log;
    this.lastLogged = nanoTime.getAsLong();
  }

  /** The file being downloaded now holds {@code bytes}. */
  void file(long bytes) {
    current = bytes;
    long now = nanoTime.getAsLong();
    if (now - lastLogged >= FetchProgress.INTERVAL.toNanos()) {
      lastLogged = now;
      log.accept(progress().line());
    }
  }

  /** A file of {@code bytes} is complete (downloaded now or found in the cache). */
  void completed(long bytes) {
    completed += bytes;
    current = 0;
  }

  /** The last line, once everything is in place. */
  void finish() {
    log.accept(progress().line());
  }

  FetchProgress progress() {
    return new FetchProgress(source, completed + current, total);
  }
}
