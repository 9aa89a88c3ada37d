package dev.mlplatform.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The slices {@code bench/load.sh} wrote, one row per slice, in time order. */
public record LoadTimeline(List<Slice> slices) {

  /**
   * One slice of load.
   *
   * @param phase which part of the run (rate, overload-single, soak, ...)
   * @param seconds when the slice ended, from the start of the timeline
   * @param requestsPerSecond responses of any status per second
   * @param inputsPerSecond texts embedded per second (2xx responses only)
   * @param socketErrors connections refused, reset or timed out
   * @param rssMb the server's peak resident memory during the slice
   * @param queuePeak the most inputs waiting for the model during the slice
   */
  public record Slice(
      String phase,
      double seconds,
      double requestsPerSecond,
      double inputsPerSecond,
      double p50Ms,
      double p99Ms,
      long ok,
      long status429,
      long statusOther,
      long socketErrors,
      long rssMb,
      long queuePeak) {}

  public static LoadTimeline read(Path tsv) throws IOException {
    List<Slice> slices = new ArrayList<>();
    List<String> lines = Files.readAllLines(tsv);
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      slices.add(
          new Slice(
              f[0],
              Double.parseDouble(f[1]),
              Double.parseDouble(f[2]),
              Double.parseDouble(f[3]),
              Double.parseDouble(f[4]),
              Double.parseDouble(f[5]),
              Long.parseLong(f[6]),
              Long.parseLong(f[7]),
              Long.parseLong(f[8]),
              Long.parseLong(f[9]),
              Long.parseLong(f[10]),
              Long.parseLong(f[11])));
    }
    return new LoadTimeline(List.copyOf(slices));
  }

  /** The slices of each phase, phases in the order they ran. */
  public Map<String, List<Slice>> byPhase() {
    Map<String, List<Slice>> phases = new LinkedHashMap<>();
    for (Slice slice : slices) {
      phases.computeIfAbsent(slice.phase(), p -> new ArrayList<>()).add(slice);
    }
    return phases;
  }
}
