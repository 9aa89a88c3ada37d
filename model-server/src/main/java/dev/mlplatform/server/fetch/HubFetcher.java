package dev.mlplatform.server.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import dev.mlplatform.server.inference.EngineChoice;
import dev.mlplatform.server.inference.EngineRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Fetches a Hub repository's model files into a cache shared by every pod of a ModelServer (or by
 * every start of one pod), laid out as {@code huggingface_hub} lays out its own: {@code
 * models--ORG--NAME/refs/REVISION} holds the commit a revision resolved to, {@code
 * snapshots/COMMIT/} the files.
 *
 * <p>Each file is downloaded beside its place as {@code .incomplete} (resumed from there after a
 * cut), checked against the size and SHA-256 the Hub lists, and moved into place atomically; a
 * {@code .complete} record is written last, and only a snapshot with one is ever used. Fetchers in
 * other pods or processes wait for each other on a file lock. Once a revision has resolved and its
 * snapshot is complete, later fetches use it without the network: the commit stays pinned until the
 * revision is changed or the cache is cleared.
 */
public final class HubFetcher {
  private static final String COMPLETE = ".complete";
  private static final int ATTEMPTS_PER_FILE = 3;

  private final HubClient client;
  private final Path cacheRoot;
  private final EngineRegistry engines;
  private final Consumer<String> log;
  private final LongSupplier nanoTime;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param engines which engine's weights to download
   */
  public HubFetcher(
      HubClient client, Path cacheRoot, EngineRegistry engines, Consumer<String> log) {
    this(client, cacheRoot, engines, log, System::nanoTime);
  }

  /**
   * @param nanoTime the clock progress lines are paced by ({@link System#nanoTime} but in tests)
   */
  HubFetcher(
      HubClient client,
      Path cacheRoot,
      EngineRegistry engines,
      Consumer<String> log,
      LongSupplier nanoTime) {
    this.client = client;
    this.cacheRoot = cacheRoot;
    this.engines = engines;
    this.log = log;
    this.nanoTime = nanoTime;
  }

  /**
   * @param engine the engine the weights are for, or {@code null} for the first of the registry's
   *     engines with weights in the repository
   */
  public FetchedModel fetch(HubRepository repo, String engine) {
    Path repoDir = cacheRoot.resolve(repo.cacheName());
    Optional<FetchedModel> cached = cached(repo, repoDir, engine);
    if (cached.isPresent()) {
      return cached.get();
    }
    try (CacheLock lock = CacheLock.acquire(repoDir, repo.toString(), log)) {
      // another fetcher may have finished while this one waited
      cached = cached(repo, repoDir, engine);
      return cached.isPresent() ? cached.get() : download(repo, repoDir, engine);
    } catch (IOException e) {
      throw new ModelFetchException(
          Reason.DownloadFailed, repo + ": cannot write the model cache " + repoDir + ": " + e, e);
    }
  }

  private FetchedModel download(HubRepository repo, Path repoDir, String engine)
      throws IOException {
    RepoListing listing = client.listing(repo);
    List<RepoFile> files = ModelFileSelection.select(repo, listing.files(), engines, engine);
    Path snapshot = repoDir.resolve("snapshots").resolve(listing.commit());
    long bytes = 0;
    String weightsSha256 = null;
    ProgressMeter meter = new ProgressMeter(repo.toString(), total(files), nanoTime, log);
    for (RepoFile file : files) {
      Path target = snapshot.resolve(file.path()).normalize();
      if (!target.startsWith(snapshot)) {
        throw new ModelFetchException(Reason.DownloadFailed, repo + ": unsafe path " + file.path());
      }
      if (!Files.isRegularFile(target)) {
        fetchFile(repo, listing.commit(), file, target, meter);
      }
      bytes += Files.size(target);
      meter.completed(Files.size(target));
      if (weightsSha256 == null) { // the selection puts the weights first
        weightsSha256 = file.sha256() != null ? file.sha256() : sha256(target);
      }
    }
    FetchedModel model =
        new FetchedModel(repo.toString(), snapshot, listing.commit(), bytes, weightsSha256, true);
    ObjectNode record = json.createObjectNode();
    record.put("commit", model.commit());
    record.put("weights", files.get(0).path());
    record.put("bytes", model.bytes());
    record.put("weightsSha256", model.weightsSha256());
    writeAtomically(snapshot.resolve(COMPLETE), json.writeValueAsString(record));
    writeAtomically(repoDir.resolve("refs").resolve(repo.revision()), listing.commit());
    meter.finish();
    log.accept(
        String.format(
            "%s: %d files, %.1f MB at commit %s", repo, files.size(), bytes / 1e6, model.commit()));
    return model;
  }

  /** The sizes the Hub lists, summed; -1 when it leaves any out. */
  private static long total(List<RepoFile> files) {
    long total = 0;
    for (RepoFile file : files) {
      if (file.size() < 0) {
        return -1;
      }
      total += file.size();
    }
    return total;
  }

  private void fetchFile(
      HubRepository repo, String commit, RepoFile file, Path target, ProgressMeter meter)
      throws IOException {
    Files.createDirectories(target.getParent());
    Path partial = target.resolveSibling(target.getFileName() + ".incomplete");
    long started = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      long before = Files.isRegularFile(partial) ? Files.size(partial) : 0;
      if (before > 0) {
        log.accept(repo + ": resuming " + file.path() + " from byte " + before);
      }
      try {
        client.download(repo, commit, file.path(), partial, meter::file);
      } catch (ModelFetchException e) {
        long after = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        if (e.reason() != Reason.DownloadFailed
            || attempt == ATTEMPTS_PER_FILE
            || after <= before) {
          throw e;
        }
        continue; // it made progress: resume from where it stopped
      }
      break;
    }
    verify(repo, file, partial);
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    log.accept(
        String.format(
            "%s: %s %.1f MB in %.1f s",
            repo, file.path(), Files.size(target) / 1e6, (System.nanoTime() - started) / 1e9));
  }

  /** A file that is not what the Hub lists is discarded, never moved into the snapshot. */
  private void verify(HubRepository repo, RepoFile file, Path partial) throws IOException {
    long size = Files.size(partial);
    if (file.size() >= 0 && size != file.size()) {
      if (size > file.size()) {
        Files.delete(partial);
      }
      throw new ModelFetchException(
          Reason.DownloadFailed,
          repo + ": " + file.path() + " is " + size + " bytes, the Hub lists " + file.size());
    }
    if (file.sha256() != null) {
      String actual = sha256(partial);
      if (!actual.equalsIgnoreCase(file.sha256())) {
        Files.delete(partial);
        throw new ModelFetchException(
            Reason.DownloadFailed,
            repo
                + ": "
                + file.path()
                + " has SHA-256 "
                + actual
                + ", the Hub lists "
                + file.sha256()
                + "; the download was discarded");
      }
    }
  }

  /**
   * The snapshot of the revision's recorded commit, if it is complete and has the engine's weights.
   */
  private Optional<FetchedModel> cached(HubRepository repo, Path repoDir, String engine) {
    String commit =
        repo.pinned() ? repo.revision() : read(repoDir.resolve("refs").resolve(repo.revision()));
    if (commit == null) {
      return Optional.empty();
    }
    Path snapshot = repoDir.resolve("snapshots").resolve(commit.strip());
    String record = read(snapshot.resolve(COMPLETE));
    if (record == null) {
      return Optional.empty();
    }
    try {
      Optional<EngineChoice> choice = engines.choose(files(snapshot), engine);
      if (choice.isEmpty()) {
        return Optional.empty(); // fetched for another engine: add this one's weights
      }
      JsonNode node = json.readTree(record);
      // the digest recorded is of the weights fetched last (records older than "weights" had one)
      String weights = choice.get().weights();
      String weightsSha256 =
          node.path("weights").asText(weights).equals(weights)
              ? node.path("weightsSha256").asText()
              : sha256(snapshot.resolve(weights));
      return Optional.of(
          new FetchedModel(
              repo.toString(),
              snapshot,
              node.path("commit").asText(),
              node.path("bytes").asLong(),
              weightsSha256,
              false));
    } catch (IOException e) {
      return Optional.empty(); // an unreadable record or snapshot: fetch again
    }
  }

  /** The snapshot's files, relative to it, as the repository names them. */
  private static List<String> files(Path snapshot) throws IOException {
    try (Stream<Path> paths = Files.walk(snapshot)) {
      return paths
          .filter(Files::isRegularFile)
          .map(p -> snapshot.relativize(p).toString().replace('\\', '/'))
          .toList();
    }
  }

  static void writeAtomically(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String read(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
