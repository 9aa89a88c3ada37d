package dev.mlplatform.bench;

import dev.mlplatform.bench.LoadTimeline.Slice;
import dev.mlplatform.bench.LoadVerdict.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Turns the timeline {@code bench/load.sh} wrote into a summary per phase, the verdicts of {@link
 * LoadVerdict}, and PNG plots of throughput, latency and memory over time next to the timeline.
 *
 * <p>Usage: {@code LoadReport TIMELINE_TSV MAX_RPS MAX_QUEUE_SIZE}. Exits 1 when a verdict fails.
 */
public final class LoadReport {
  private static final double SLICE_SECONDS =
      Double.parseDouble(System.getenv().getOrDefault("SLICE", "10"));

  private LoadReport() {}

  public static void main(String[] args) throws IOException {
    Path tsv = Path.of(args[0]);
    double maxRps = Double.parseDouble(args[1]);
    int maxQueueSize = Integer.parseInt(args[2]);
    LoadTimeline timeline = LoadTimeline.read(tsv);

    System.out.printf(
        "max throughput (wrk, 16 connections x 1 sentence): %.1f requests/s%n", maxRps);
    for (Map.Entry<String, List<Slice>> phase : timeline.byPhase().entrySet()) {
      List<Slice> slices = phase.getValue();
      System.out.printf(
          "%-16s %3d s  %7.1f requests/s  %7.1f inputs/s  p50 %6.0f ms  p99 max %6.0f ms  RSS"
              + " %4d-%4d MB  queue peak %d%n",
          phase.getKey(),
          Math.round(slices.size() * SLICE_SECONDS),
          mean(slices, Slice::requestsPerSecond),
          mean(slices, Slice::inputsPerSecond),
          mean(slices, Slice::p50Ms),
          slices.stream().mapToDouble(Slice::p99Ms).max().orElse(0),
          slices.stream().mapToLong(Slice::rssMb).min().orElse(0),
          slices.stream().mapToLong(Slice::rssMb).max().orElse(0),
          slices.stream().mapToLong(Slice::queuePeak).max().orElse(0));
    }
    List<Finding> findings = LoadVerdict.judge(timeline, maxQueueSize, SLICE_SECONDS);
    boolean allOk = true;
    for (Finding finding : findings) {
      System.out.printf(
          "%-4s %-16s %s%n", finding.ok() ? "ok" : "FAIL", finding.phase(), finding.text());
      allOk &= finding.ok();
    }

    String stem = tsv.getFileName().toString().replaceFirst("\\.tsv$", "");
    Path dir = tsv.toAbsolutePath().getParent();
    plot(
        timeline,
        "Throughput",
        "per second",
        dir.resolve(stem + "-throughput"),
        List.of(
            new Series("requests/s", Slice::requestsPerSecond),
            new Series("embedded inputs/s", Slice::inputsPerSecond)));
    plot(
        timeline,
        "Latency",
        "ms",
        dir.resolve(stem + "-latency"),
        List.of(new Series("p50", Slice::p50Ms), new Series("p99", Slice::p99Ms)));
    plot(
        timeline,
        "Memory and queue",
        "MB / inputs",
        dir.resolve(stem + "-memory"),
        List.of(
            new Series("RSS (MB)", s -> s.rssMb()),
            new Series("queue peak (inputs)", s -> s.queuePeak())));
    System.out.printf("plots: %s/%s-{throughput,latency,memory}.png%n", dir, stem);
    if (!allOk) {
      System.exit(1);
    }
  }

  private record Series(String name, ToDoubleFunction<Slice> value) {}

  private static void plot(
      LoadTimeline timeline, String title, String unit, Path file, List<Series> series)
      throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(420)
            .title(
                title
                    + " over time (phases: "
                    + String.join(", ", timeline.byPhase().keySet())
                    + ")")
            .xAxisTitle("seconds")
            .yAxisTitle(unit)
            .build();
    double[] x = timeline.slices().stream().mapToDouble(Slice::seconds).toArray();
    for (Series s : series) {
      double[] y = timeline.slices().stream().mapToDouble(s.value()).toArray();
      chart.addSeries(s.name(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static double mean(List<Slice> slices, ToDoubleFunction<Slice> value) {
    return slices.stream().mapToDouble(value).average().orElse(0);
  }
}
