package dev.mlplatform.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import dev.mlplatform.server.testing.LocalHub;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Model archives at a URL: unpacked once into the cache, pinned, resumed, and never unsafe. */
class ArchiveFetcherTest {
  @TempDir Path work;
  @TempDir Path cache;
  private LocalHub server;
  private final List<String> log = new ArrayList<>();
  private final Map<String, byte[]> model = new LinkedHashMap<>();

  @BeforeEach
  void start() throws Exception {
    server = new LocalHub();
    byte[] weights = new byte[2_000_000];
    new Random(7).nextBytes(weights);
    model.put("model.onnx", weights);
    model.put("tokenizer.json", "{\"version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));
    model.put("1_Pooling/config.json", "{}".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Path tarGz(String name, String prefix, Map<String, byte[]> entries) throws Exception {
    Path file = work.resolve(name);
    try (OutputStream out = Files.newOutputStream(file);
        TarArchiveOutputStream tar =
            new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
      for (var e : entries.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(prefix + e.getKey());
        entry.setSize(e.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  private Path zip(String name, Map<String, byte[]> entries) throws Exception {
    Path file = work.resolve(name);
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (var e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  private ArchiveFetcher fetcher() {
    return new ArchiveFetcher(cache, log::add);
  }

  private void assertIsTheModel(Path dir) throws Exception {
    for (var e : model.entrySet()) {
      assertThat(dir.resolve(e.getKey())).hasBinaryContent(e.getValue());
    }
  }

  @Test
  void a_pinned_tar_gz_with_one_top_level_folder_is_served_from_inside_it() throws Exception {
    Path archive = tarGz("minilm.tar.gz", "all-minilm-l6-v2/", model);
    String uri = server.publish("minilm.tar.gz", archive) + "#sha256=" + LocalHub.digest(archive);

    Path dir = fetcher().fetch(uri);

    assertIsTheModel(dir);
    assertThat(dir.getFileName()).hasToString("all-minilm-l6-v2");
    int requests = server.requests().size();
    assertThat(fetcher().fetch(uri)).isEqualTo(dir);
    assertThat(server.requests()).as("the second fetch uses the cache").hasSize(requests);
  }

  @Test
  void a_zip_of_the_files_themselves_is_served_from_its_root() throws Exception {
    Path dir = fetcher().fetch(server.publish("model.zip", zip("model.zip", model)).toString());

    assertIsTheModel(dir);
  }

  @Test
  void a_digest_that_differs_from_the_pin_is_refused_and_nothing_is_kept() throws Exception {
    Path archive = tarGz("m.tar.gz", "", model);
    String wrong = "0".repeat(64);

    assertThatThrownBy(
            () -> fetcher().fetch(server.publish("m.tar.gz", archive) + "#sha256=" + wrong))
        .isInstanceOfSatisfying(
            ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.DownloadFailed))
        .hasMessageContaining("the URI pins " + wrong)
        .hasMessageContaining(LocalHub.digest(archive));
    try (var files = Files.walk(cache)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .doesNotContain("model.onnx", ".complete", "archive.incomplete");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape.onnx", "/etc/cron.d/evil"})
  void entries_that_leave_the_model_folder_are_refused(String name) throws Exception {
    Map<String, byte[]> evil = new LinkedHashMap<>(model);
    evil.put(name, new byte[] {1});
    Path archive = zip("evil.zip", evil);

    assertThatThrownBy(() -> fetcher().fetch(server.publish("evil.zip", archive).toString()))
        .isInstanceOf(ModelFetchException.class)
        .hasMessageContaining("refused entry");
    assertThat(work.resolve("escape.onnx")).doesNotExist();
    assertThat(cache.getParent().resolve("escape.onnx")).doesNotExist();
  }

  @Test
  void a_cut_download_resumes_and_a_missing_archive_is_model_not_found() throws Exception {
    Path archive = tarGz("m.tar.gz", "", model);
    server.cutOnce(LocalHub.digest(archive), 500_000);

    assertIsTheModel(fetcher().fetch(server.publish("m.tar.gz", archive).toString()));
    assertThat(log).anySatisfy(l -> assertThat(l).contains("resuming from byte"));

    assertThatThrownBy(() -> fetcher().fetch(server.endpoint() + "/files/nothing/x.tar.gz"))
        .isInstanceOfSatisfying(
            ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ModelNotFound));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://models.example/m.tar.gz",
        "http://10.0.0.1:8080/a/b.tgz",
        "https://h/m.zip#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      })
  void archive_uris_accepted(String uri) {
    assertThat(ArchiveFetcher.accepts(uri)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://models.example/model.onnx",
        "ftp://h/m.tar.gz",
        "https:///m.tar.gz",
        "https://h/m.tar.gz#md5=abc",
        "https://h/m.tar.gz#sha256=123"
      })
  void other_uris_refused(String uri) {
    assertThat(ArchiveFetcher.accepts(uri)).isFalse();
  }
}
