package dev.mlplatform.bench;

import dev.mlplatform.bench.LoadTimeline.Slice;
import java.util.ArrayList;
import java.util.List;

/**
 * What a load run promised and whether it held: a finding per phase, each {@code ok} or not.
 *
 * <p>Every phase: no status other than 2xx and 429, no socket errors. Rate-limited and soak phases:
 * no 429 at all. Overload: 429s shed the excess and the queue stays within its bound. Recovery: no
 * 429 once the load is back under capacity. Soak: RSS and p99 of the last minute within 20 % (and
 * 25 MB) of the first minute's.
 */
public final class LoadVerdict {
  /** How much a soak's last minute may differ from its first before it counts as drift. */
  static final double DRIFT = 0.20;

  static final long RSS_SLACK_MB = 25;

  public record Finding(String phase, boolean ok, String text) {}

  private LoadVerdict() {}

  public static List<Finding> judge(LoadTimeline timeline, int maxQueueSize, double sliceSeconds) {
    List<Finding> findings = new ArrayList<>();
    timeline
        .byPhase()
        .forEach(
            (phase, slices) -> {
              long ok = slices.stream().mapToLong(Slice::ok).sum();
              long s429 = slices.stream().mapToLong(Slice::status429).sum();
              long other = slices.stream().mapToLong(Slice::statusOther).sum();
              long errors = slices.stream().mapToLong(Slice::socketErrors).sum();
              long queuePeak = slices.stream().mapToLong(Slice::queuePeak).max().orElse(0);
              findings.add(
                  new Finding(
                      phase,
                      other == 0 && errors == 0,
                      String.format(
                          "%d ok, %d x 429, %d other non-2xx, %d socket errors",
                          ok, s429, other, errors)));
              if (phase.startsWith("overload")) {
                findings.add(
                    new Finding(
                        phase,
                        s429 > 0 && queuePeak <= maxQueueSize,
                        String.format(
                            "sheds with 429 (%d) and the queue peaks at %d of %d inputs",
                            s429, queuePeak, maxQueueSize)));
              } else {
                findings.add(
                    new Finding(phase, s429 == 0, String.format("under capacity: %d x 429", s429)));
              }
              if (phase.equals("soak")) {
                findings.addAll(soak(slices, sliceSeconds));
              }
            });
    return findings;
  }

  private static List<Finding> soak(List<Slice> slices, double sliceSeconds) {
    int minute = (int) Math.max(1, Math.round(60 / sliceSeconds));
    if (slices.size() < 2 * minute) {
      return List.of(new Finding("soak", false, "shorter than two minutes: no drift verdict"));
    }
    List<Slice> first = slices.subList(0, minute);
    List<Slice> last = slices.subList(slices.size() - minute, slices.size());
    long rssFirst = first.stream().mapToLong(Slice::rssMb).max().orElse(0);
    long rssLast = last.stream().mapToLong(Slice::rssMb).max().orElse(0);
    double p99First = first.stream().mapToDouble(Slice::p99Ms).max().orElse(0);
    double p99Last = last.stream().mapToDouble(Slice::p99Ms).max().orElse(0);
    return List.of(
        new Finding(
            "soak",
            rssLast <= Math.max(rssFirst * (1 + DRIFT), rssFirst + RSS_SLACK_MB),
            String.format("RSS first minute %d MB, last minute %d MB", rssFirst, rssLast)),
        new Finding(
            "soak",
            p99Last <= p99First * (1 + DRIFT),
            String.format("p99 first minute %.0f ms, last minute %.0f ms", p99First, p99Last)));
  }
}
