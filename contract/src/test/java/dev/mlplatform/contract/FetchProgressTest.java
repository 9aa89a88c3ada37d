package dev.mlplatform.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FetchProgressTest {

  @Test
  void a_line_reads_back_as_the_progress_it_reports() {
    FetchProgress progress = new FetchProgress("hf://BAAI/bge-small-en-v1.5@main", 1_234, 5_678);

    assertThat(FetchProgress.lastIn(progress.line())).contains(progress);
  }

  @Test
  void the_last_progress_line_of_a_text_or_json_log_tail_wins() {
    String tail =
        String.join(
            "\n",
            "02:00:00.000 INFO  [main] d.m.s.f.HubFetcher - fetch progress: 10/100 bytes of hf://o/n@main",
            "{\"level\":\"INFO\",\"message\":\"fetch progress: 60/100 bytes of hf://o/n@main\"}",
            "02:00:10.000 INFO  [main] d.m.s.f.HubFetcher - hf://o/n@main: onnx/model.onnx 0.1 MB");

    assertThat(FetchProgress.lastIn(tail)).contains(new FetchProgress("hf://o/n@main", 60, 100));
  }

  @Test
  void a_log_without_progress_has_none() {
    assertThat(FetchProgress.lastIn("model ready in the cache")).isEmpty();
    assertThat(FetchProgress.lastIn(null)).isEmpty();
    assertThat(FetchProgress.lastIn("fetch progress: 99999999999999999999/1 bytes of x")).isEmpty();
  }

  @Test
  void people_read_megabytes_and_whole_percent_or_bytes_so_far_without_a_total() {
    assertThat(new FetchProgress("s", 12_345_678, 45_600_000).describe())
        .isEqualTo("12.3 MB of 45.6 MB (27%)");
    assertThat(new FetchProgress("s", 45_600_000, 45_600_000).describe())
        .isEqualTo("45.6 MB of 45.6 MB (100%)");
    assertThat(new FetchProgress("s", 2_000_000, -1).describe()).isEqualTo("2.0 MB so far");
    assertThat(new FetchProgress("s", 2_000_000, -1).percent()).isEmpty();
  }
}
