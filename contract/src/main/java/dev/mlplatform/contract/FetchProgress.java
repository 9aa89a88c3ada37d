package dev.mlplatform.contract;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far the {@code fetch} init container has got with a download: it logs {@link #line()} every
 * {@link #INTERVAL}, and the operator reads the last such line from the container's log tail
 * ({@code pods/log}) into the ModelServer's ModelReady condition. One format, parsed here, so the
 * two sides cannot drift apart; found anywhere in a log line, so text and JSON logs both carry it.
 *
 * @param bytesTotal what the whole download will be, or -1 when the source does not say
 */
public record FetchProgress(String source, long bytesDone, long bytesTotal) {

  /** How often the fetch logs its progress while bytes arrive. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);

  private static final String MARKER = "fetch progress: ";
  private static final Pattern LINE =
      Pattern.compile(Pattern.quote(MARKER) + "(\\d+)/(-1|\\d+) bytes of ([^\\s\"'\\\\]+)");

  /** The log line, e.g. {@code fetch progress: 1048576/4194304 bytes of hf://org/name@main}. */
  public String line() {
    return MARKER + bytesDone + "/" + bytesTotal + " bytes of " + source;
  }

  /** The progress the last line of {@code log} that carries one reports. */
  public static Optional<FetchProgress> lastIn(String log) {
    if (log == null) {
      return Optional.empty();
    }
    FetchProgress last = null;
    Matcher m = LINE.matcher(log);
    while (m.find()) {
      try {
        last =
            new FetchProgress(m.group(3), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
      } catch (NumberFormatException tooLong) {
        // not a line the fetch wrote
      }
    }
    return Optional.ofNullable(last);
  }

  /** Whole percent done, or empty when the total is unknown. */
  public Optional<Integer> percent() {
    if (bytesTotal <= 0) {
      return Optional.empty();
    }
    return Optional.of((int) Math.min(100, bytesDone * 100 / bytesTotal));
  }

  /** For people: {@code 12.3 MB of 45.6 MB (27%)}, or {@code 12.3 MB so far}. */
  public String describe() {
    return percent()
        .map(p -> megabytes(bytesDone) + " of " + megabytes(bytesTotal) + " (" + p + "%)")
        .orElseGet(() -> megabytes(bytesDone) + " so far");
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
