package dev.mlplatform.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlplatform.contract.FetchProgress;
import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.testing.LocalHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching a repository from a local server that speaks the Hub's file API, with its faults. */
class HubFetcherTest {
  @TempDir Path files;
  @TempDir Path cache;
  private LocalHub hub;
  private final List<String> log = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    hub = new LocalHub();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private Path file(String name, int bytes) throws Exception {
    byte[] content = new byte[bytes];
    new Random(name.hashCode()).nextBytes(content);
    Path file = files.resolve(name.replace('/', '_'));
    Files.write(file, content);
    return file;
  }

  /** A repository laid out as a sentence-transformers ONNX export, with bytes for weights. */
  private Map<String, Path> modelRepo() throws Exception {
    Map<String, Path> repo = new LinkedHashMap<>();
    repo.put("onnx/model.onnx", file("onnx/model.onnx", 3_000_000));
    repo.put("pytorch_model.bin", file("pytorch_model.bin", 1000));
    repo.put("tokenizer.json", file("tokenizer.json", 5000));
    repo.put("modules.json", file("modules.json", 100));
    repo.put("1_Pooling/config.json", file("1_Pooling_config.json", 100));
    repo.put("README.md", file("README.md", 100));
    return repo;
  }

  private HubFetcher fetcher(String token) {
    return new HubFetcher(
        new HubClient(hub.endpoint(), token), cache, EngineRegistry.standard(), log::add);
  }

  @Test
  void fetches_the_onnx_weights_and_recipe_files_and_pins_the_commit() throws Exception {
    Map<String, Path> repo = modelRepo();
    String commit = hub.addRepo("org/model", repo);

    FetchedModel model = fetcher(null).fetch(HubRepository.parse("hf://org/model"), null);

    assertThat(model.commit()).isEqualTo(commit);
    assertThat(model.downloaded()).isTrue();
    assertThat(model.weightsSha256()).isEqualTo(LocalHub.digest(repo.get("onnx/model.onnx")));
    for (String path : List.of("onnx/model.onnx", "tokenizer.json", "1_Pooling/config.json")) {
      assertThat(model.directory().resolve(path)).hasSameBinaryContentAs(repo.get(path));
    }
    // only what the server loads: not the PyTorch weights, not the README
    assertThat(model.directory().resolve("pytorch_model.bin")).doesNotExist();
    assertThat(model.directory().resolve("README.md")).doesNotExist();
    assertThat(cache.resolve("models--org--model/refs/main")).hasContent(commit);
  }

  @Test
  void a_long_download_logs_its_progress_toward_the_listed_total_every_interval() throws Exception {
    hub.addRepo("org/model", modelRepo());
    AtomicLong clock = new AtomicLong();
    // every reading of the clock is one interval later: each chunk that arrives logs a line
    LongSupplier slow = () -> clock.addAndGet(FetchProgress.INTERVAL.toNanos());
    HubFetcher fetcher =
        new HubFetcher(
            new HubClient(hub.endpoint(), null), cache, EngineRegistry.standard(), log::add, slow);

    fetcher.fetch(HubRepository.parse("hf://org/model"), null);

    List<FetchProgress> lines =
        log.stream().map(FetchProgress::lastIn).flatMap(Optional::stream).toList();
    long total = 3_000_000 + 5000 + 100 + 100; // the files the server loads, not the rest
    assertThat(lines).hasSizeGreaterThan(5);
    assertThat(lines).allSatisfy(p -> assertThat(p.bytesTotal()).isEqualTo(total));
    assertThat(lines).extracting(FetchProgress::bytesDone).isSorted();
    assertThat(lines.get(lines.size() - 1).bytesDone()).isEqualTo(total);
    assertThat(lines.get(0).source()).isEqualTo("hf://org/model@main");
  }

  @Test
  void progress_lines_are_paced_by_the_interval() {
    List<String> lines = new ArrayList<>();
    AtomicLong now = new AtomicLong();
    ProgressMeter meter = new ProgressMeter("hf://o/n@main", 100, now::get, lines::add);

    meter.file(10);
    now.addAndGet(FetchProgress.INTERVAL.toNanos() - 1);
    meter.file(20);
    assertThat(lines).as("not before an interval has passed").isEmpty();
    now.addAndGet(1);
    meter.file(30);
    meter.completed(40);
    meter.file(5);
    meter.finish();

    assertThat(lines)
        .containsExactly(
            "fetch progress: 30/100 bytes of hf://o/n@main",
            "fetch progress: 45/100 bytes of hf://o/n@main");
  }

  @Test
  void a_second_fetch_of_a_complete_snapshot_uses_no_network() throws Exception {
    hub.addRepo("org/model", modelRepo());
    fetcher(null).fetch(HubRepository.parse("hf://org/model"), null);
    int requests = hub.requests().size();

    FetchedModel again = fetcher(null).fetch(HubRepository.parse("hf://org/model"), null);

    assertThat(again.downloaded()).isFalse();
    assertThat(hub.requests()).hasSize(requests);
  }

  @Test
  void a_cut_download_resumes_from_where_it_stopped() throws Exception {
    Map<String, Path> repo = modelRepo();
    hub.addRepo("org/model", repo);
    String weights = LocalHub.digest(repo.get("onnx/model.onnx"));
    hub.cutOnce(weights, 1_000_000);

    FetchedModel model = fetcher(null).fetch(HubRepository.parse("hf://org/model"), null);

    assertThat(model.directory().resolve("onnx/model.onnx"))
        .hasSameBinaryContentAs(repo.get("onnx/model.onnx"));
    assertThat(hub.requests())
        .anySatisfy(
            r -> assertThat(r).startsWith("GET /cdn/" + weights + " bytes=").doesNotEndWith("=0-"));
    assertThat(log).anySatisfy(l -> assertThat(l).contains("resuming onnx/model.onnx from byte"));
  }

  @Test
  void a_file_whose_digest_differs_is_refused_and_the_cache_keeps_no_model() throws Exception {
    Map<String, Path> repo = modelRepo();
    hub.addRepo("org/model", repo);
    String weights = LocalHub.digest(repo.get("onnx/model.onnx"));
    byte[] tampered = Files.readAllBytes(repo.get("onnx/model.onnx"));
    tampered[12345] ^= 1;
    hub.corrupt(weights, tampered);

    assertThatThrownBy(() -> fetcher(null).fetch(HubRepository.parse("hf://org/model"), null))
        .isInstanceOfSatisfying(
            ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.DownloadFailed))
        .hasMessageContaining("onnx/model.onnx has SHA-256")
        .hasMessageContaining(weights);
    try (var found = Files.walk(cache)) {
      assertThat(found.map(p -> p.getFileName().toString()))
          .doesNotContain("model.onnx", "model.onnx.incomplete", ".complete", "main");
    }
  }

  @Test
  void a_private_repository_needs_the_token_and_the_token_never_reaches_the_storage_host()
      throws Exception {
    hub.addRepo("org/private", modelRepo(), "hf_secret_token_123");

    assertThatThrownBy(() -> fetcher(null).fetch(HubRepository.parse("hf://org/private"), null))
        .isInstanceOfSatisfying(
            ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.Unauthorized))
        .hasMessageContaining("no token given")
        .hasMessageContaining("restricted");

    FetchedModel model =
        fetcher("hf_secret_token_123").fetch(HubRepository.parse("hf://org/private"), null);
    assertThat(model.directory().resolve("onnx/model.onnx")).exists();
    assertThat(hub.storageAuthorization()).isEmpty();
  }

  @Test
  void an_unknown_repository_or_revision_is_model_not_found() throws Exception {
    hub.addRepo("org/model", modelRepo());

    assertThatThrownBy(
            () -> fetcher("any-token").fetch(HubRepository.parse("hf://org/nothing"), null))
        .isInstanceOfSatisfying(
            ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ModelNotFound))
        .hasMessageContaining("Repository not found");
    assertThatThrownBy(() -> fetcher(null).fetch(HubRepository.parse("hf://org/model@v9"), null))
        .isInstanceOfSatisfying(
            ModelFetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ModelNotFound))
        .hasMessageContaining("Invalid rev id: v9");
  }

  @Test
  void a_repository_with_only_pytorch_weights_says_what_it_found_and_what_is_supported()
      throws Exception {
    Map<String, Path> repo = new LinkedHashMap<>();
    repo.put("pytorch_model.bin", file("pytorch_model.bin", 1000));
    repo.put("tokenizer.json", file("tokenizer.json", 100));
    hub.addRepo("org/torch-only", repo);

    assertThatThrownBy(() -> fetcher(null).fetch(HubRepository.parse("hf://org/torch-only"), null))
        .isInstanceOfSatisfying(
            ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NoSupportedWeights))
        .hasMessageStartingWith("NoSupportedWeights: ")
        .hasMessageContaining("found pytorch_model.bin")
        .hasMessageContaining(
            "supported: onnx/model.onnx or model.onnx, exported with optimum (OnnxRuntime); a"
                + " TorchScript *.pt, from torch.jit.trace (PyTorch)");
  }

  @Test
  void the_engine_asked_for_decides_which_weights_come_down_and_the_cache_adds_the_other()
      throws Exception {
    Map<String, Path> repo = modelRepo();
    repo.put("model.pt", file("model.pt", 2000));
    hub.addRepo("org/both", repo);
    HubRepository both = HubRepository.parse("hf://org/both");

    FetchedModel torch = fetcher(null).fetch(both, "PyTorch");

    assertThat(torch.directory().resolve("model.pt")).hasSameBinaryContentAs(repo.get("model.pt"));
    assertThat(torch.directory().resolve("onnx/model.onnx")).doesNotExist();
    assertThat(torch.weightsSha256()).isEqualTo(LocalHub.digest(repo.get("model.pt")));

    FetchedModel onnx = fetcher(null).fetch(both, "OnnxRuntime");

    assertThat(onnx.downloaded()).as("the snapshot lacked the ONNX weights").isTrue();
    assertThat(onnx.directory()).isEqualTo(torch.directory());
    assertThat(onnx.weightsSha256()).isEqualTo(LocalHub.digest(repo.get("onnx/model.onnx")));
    int requests = hub.requests().size();

    FetchedModel torchAgain = fetcher(null).fetch(both, "PyTorch");

    assertThat(torchAgain.downloaded()).isFalse();
    assertThat(hub.requests()).hasSize(requests);
    assertThat(torchAgain.weightsSha256()).isEqualTo(LocalHub.digest(repo.get("model.pt")));
  }

  @Test
  void a_repository_without_the_weights_of_the_engine_asked_for_says_so() throws Exception {
    hub.addRepo("org/model", modelRepo());

    assertThatThrownBy(() -> fetcher(null).fetch(HubRepository.parse("hf://org/model"), "PyTorch"))
        .isInstanceOfSatisfying(
            ModelFetchException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NoSupportedWeights))
        .hasMessageContaining(
            "has no weights for PyTorch: found onnx/model.onnx, pytorch_model.bin")
        .hasMessageEndingWith("supported: a TorchScript *.pt, from torch.jit.trace (PyTorch)");
  }

  @Test
  void two_fetchers_racing_into_one_cache_download_each_file_once() throws Exception {
    Map<String, Path> repo = modelRepo();
    hub.addRepo("org/model", repo);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<FetchedModel> fetch =
          () -> fetcher(null).fetch(HubRepository.parse("hf://org/model"), null);
      Future<FetchedModel> a = pool.submit(fetch);
      Future<FetchedModel> b = pool.submit(fetch);

      assertThat(a.get().directory()).isEqualTo(b.get().directory());
      assertThat(a.get().directory().resolve("onnx/model.onnx"))
          .hasSameBinaryContentAs(repo.get("onnx/model.onnx"));
      String weights = LocalHub.digest(repo.get("onnx/model.onnx"));
      assertThat(hub.requests()).filteredOn(r -> r.startsWith("GET /cdn/" + weights)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
