package dev.mlplatform.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.bench.LoadVerdict.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load run's pass/fail rules, over timelines written as {@code bench/load.sh} writes them. */
class LoadVerdictTest {
  private static final String HEADER =
      "phase\tt_s\trps\tinputs_per_s\tp50_ms\tp99_ms\tok\tstatus_429\tstatus_other\tsocket_errors"
          + "\trss_mb\tqueue_peak";

  @TempDir Path dir;

  private LoadTimeline timeline(List<String> rows) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.addAll(rows);
    Path tsv = dir.resolve("load.tsv");
    Files.write(tsv, lines);
    return LoadTimeline.read(tsv);
  }

  private static List<String> failures(List<Finding> findings) {
    return findings.stream().filter(f -> !f.ok()).map(f -> f.phase() + ": " + f.text()).toList();
  }

  @Test
  void a_clean_run_passes_every_finding() throws IOException {
    LoadTimeline timeline =
        timeline(
            List.of(
                "rate\t10\t50.0\t50.0\t20.0\t40.0\t500\t0\t0\t0\t300\t2",
                "overload-single\t20\t400.0\t200.0\t900.0\t3000.0\t2000\t2000\t0\t0\t420\t1024",
                "recovery\t30\t50.0\t50.0\t20.0\t45.0\t500\t0\t0\t0\t410\t1"));

    assertThat(failures(LoadVerdict.judge(timeline, 1024, 10))).isEmpty();
    assertThat(timeline.byPhase().keySet()).containsExactly("rate", "overload-single", "recovery");
  }

  @Test
  void a_5xx_a_socket_error_or_a_429_under_capacity_fails() throws IOException {
    LoadTimeline timeline =
        timeline(
            List.of(
                "rate\t10\t50.0\t50.0\t20.0\t40.0\t499\t0\t1\t0\t300\t2",
                "recovery\t20\t50.0\t50.0\t20.0\t40.0\t490\t10\t0\t3\t300\t2"));

    assertThat(failures(LoadVerdict.judge(timeline, 1024, 10)))
        .containsExactly(
            "rate: 499 ok, 0 x 429, 1 other non-2xx, 0 socket errors",
            "recovery: 490 ok, 10 x 429, 0 other non-2xx, 3 socket errors",
            "recovery: under capacity: 10 x 429");
  }

  @Test
  void overload_must_shed_with_429_and_keep_the_queue_within_its_bound() throws IOException {
    LoadTimeline noShedding =
        timeline(List.of("overload-batch\t10\t9.0\t288.0\t3000.0\t9000.0\t90\t0\t0\t0\t400\t1500"));

    assertThat(failures(LoadVerdict.judge(noShedding, 1024, 10)))
        .containsExactly(
            "overload-batch: sheds with 429 (0) and the queue peaks at 1500 of 1024 inputs");
  }

  @Test
  void a_soak_whose_memory_or_p99_climbs_fails() throws IOException {
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= 18; i++) {
      long rss = i <= 6 ? 300 : 300 + (i - 6) * 10; // +120 MB over the run
      double p99 = i <= 12 ? 100 : 180; // and p99 up by 80 % in the last minute
      rows.add(
          "soak\t" + i * 10 + "\t160.0\t160.0\t50.0\t" + p99 + "\t1600\t0\t0\t0\t" + rss + "\t8");
    }
    List<String> failed = failures(LoadVerdict.judge(timeline(rows), 1024, 10));

    assertThat(failed)
        .containsExactly(
            "soak: RSS first minute 300 MB, last minute 420 MB",
            "soak: p99 first minute 100 ms, last minute 180 ms");
  }

  @Test
  void a_flat_soak_passes() throws IOException {
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= 18; i++) {
      rows.add(
          "soak\t"
              + i * 10
              + "\t160.0\t160.0\t50.0\t100.0\t1600\t0\t0\t0\t"
              + (300 + i % 3)
              + "\t8");
    }
    assertThat(failures(LoadVerdict.judge(timeline(rows), 1024, 10))).isEmpty();
  }
}
