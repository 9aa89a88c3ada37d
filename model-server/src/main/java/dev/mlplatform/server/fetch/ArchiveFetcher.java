package dev.mlplatform.server.fetch;

import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A model directory packed as a {@code .tar.gz}, {@code .tgz} or {@code .zip} at an http(s) URL,
 * optionally pinned with a {@code #sha256=HEX} fragment (as pip pins a download). Downloaded once
 * into {@code archives/KEY/} of the cache (resumed after a cut, checked against the digest),
 * unpacked beside it and moved into place whole; a {@code .complete} record is written last.
 * Entries that would land outside the folder, links and devices are refused. An archive holding one
 * top-level folder is served from inside it.
 */
public final class ArchiveFetcher {
  private static final Pattern PINNED = Pattern.compile("sha256=([0-9a-fA-F]{64})");
  private static final List<String> FORMATS = List.of(".tar.gz", ".tgz", ".zip");
  private static final int ATTEMPTS = 3;

  private final Path cacheRoot;
  private final Consumer<String> log;
  private final Downloader downloader = new Downloader();

  public ArchiveFetcher(Path cacheRoot, Consumer<String> log) {
    this.cacheRoot = cacheRoot;
    this.log = log;
  }

  /**
   * Whether the URI names an archive this fetcher reads: http(s) with a host, a known extension,
   * and no fragment but a {@code sha256=} pin.
   */
  public static boolean accepts(String uri) {
    if (!ModelUris.archiveUrl(uri)) { // the grammar the CRD admits (contract)
      return false;
    }
    try {
      URI parsed = new URI(uri);
      String path = parsed.getPath();
      return parsed.getHost() != null
          && path != null
          && FORMATS.stream().anyMatch(f -> path.toLowerCase(Locale.ROOT).endsWith(f));
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** What {@link #accepts} wants, for messages. */
  public static String rule() {
    return "an http(s) URL of a .tar.gz, .tgz or .zip of a model directory, optionally ending in"
        + " #sha256=<64 hex digits>";
  }

  /** The unpacked model directory (from the cache when it is already there). */
  public Path fetch(String uri) {
    URI parsed = URI.create(uri);
    String expected = pinnedDigest(parsed);
    URI location = withoutFragment(parsed);
    Path dir =
        cacheRoot.resolve(
            sha256(location.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 24));
    String what = location.toString();
    try {
      Path ready = complete(dir);
      if (ready != null) {
        return ready;
      }
      try (CacheLock lock = CacheLock.acquire(dir, what, log)) {
        ready = complete(dir);
        return ready != null ? ready : download(location, what, expected, dir);
      }
    } catch (IOException e) {
      throw new ModelFetchException(
          Reason.DownloadFailed, what + ": cannot write the model cache " + dir + ": " + e, e);
    }
  }

  private Path download(URI location, String what, String expected, Path dir) throws IOException {
    Path archive = dir.resolve("archive.incomplete");
    long started = System.nanoTime();
    // an archive's size is known only from its response: the lines say how much arrived so far
    ProgressMeter meter = new ProgressMeter(what, -1, System::nanoTime, log);
    for (int attempt = 1; ; attempt++) {
      long before = Downloader.size(archive);
      try {
        downloader.download(location, what, null, archive, meter::file);
        meter.finish();
        break;
      } catch (ModelFetchException e) {
        if (e.reason() != Reason.DownloadFailed
            || attempt == ATTEMPTS
            || Downloader.size(archive) <= before) {
          throw e;
        }
        log.accept(what + ": resuming from byte " + Downloader.size(archive));
      }
    }
    String actual = digest(archive);
    if (expected != null && !expected.equalsIgnoreCase(actual)) {
      Files.delete(archive);
      throw new ModelFetchException(
          Reason.DownloadFailed,
          what
              + " has SHA-256 "
              + actual
              + ", the URI pins "
              + expected
              + "; the download was discarded");
    }
    Path unpacked = dir.resolve("unpacking");
    deleteTree(unpacked);
    Files.createDirectories(unpacked);
    try {
      unpack(location.getPath().toLowerCase(Locale.ROOT), archive, unpacked, what);
    } catch (IOException e) {
      deleteTree(unpacked);
      throw new ModelFetchException(
          Reason.DownloadFailed, what + ": not a readable archive: " + e.getMessage(), e);
    }
    Path model = dir.resolve("model");
    deleteTree(model);
    Files.move(unpacked, model, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(archive);
    Path served = single(model);
    HubFetcher.writeAtomically(dir.resolve(".complete"), model.relativize(served).toString());
    log.accept(
        String.format(
            "%s: unpacked in %.1f s (SHA-256 %s)",
            what, (System.nanoTime() - started) / 1e9, actual));
    return served;
  }

  private static void unpack(String path, Path archive, Path into, String what) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
      if (path.endsWith(".zip")) {
        try (ZipInputStream zip = new ZipInputStream(in)) {
          for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
            write(into, entry.getName(), entry.isDirectory(), zip, what);
          }
        }
      } else {
        try (TarArchiveInputStream tar =
            new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
          for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
            if (!entry.isDirectory() && !entry.isFile()) {
              throw new ModelFetchException(
                  Reason.DownloadFailed,
                  what
                      + ": refused entry "
                      + entry.getName()
                      + " (links and devices are not unpacked)");
            }
            write(into, entry.getName(), entry.isDirectory(), tar, what);
          }
        }
      }
    }
  }

  private static void write(Path into, String name, boolean directory, InputStream in, String what)
      throws IOException {
    Path target = into.resolve(name).normalize();
    if (!target.startsWith(into) || target.equals(into) && !directory) {
      throw new ModelFetchException(
          Reason.DownloadFailed,
          what + ": refused entry " + name + " (it leaves the model folder)");
    }
    if (directory) {
      Files.createDirectories(target);
    } else {
      Files.createDirectories(target.getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The folder inside an archive that holds everything, else the archive's root. */
  private static Path single(Path model) throws IOException {
    try (Stream<Path> top = Files.list(model)) {
      List<Path> entries = top.toList();
      return entries.size() == 1 && Files.isDirectory(entries.get(0)) ? entries.get(0) : model;
    }
  }

  private static Path complete(Path dir) throws IOException {
    Path record = dir.resolve(".complete");
    return Files.isRegularFile(record)
        ? dir.resolve("model").resolve(Files.readString(record).strip())
        : null;
  }

  private static String pinnedDigest(URI uri) {
    String fragment = uri.getFragment();
    if (fragment == null) {
      return null;
    }
    Matcher m = PINNED.matcher(fragment);
    if (!m.matches()) {
      throw new ModelFetchException(
          Reason.DownloadFailed, uri + ": the fragment must be sha256=<64 hex digits>");
    }
    return m.group(1).toLowerCase(Locale.ROOT);
  }

  private static URI withoutFragment(URI uri) {
    String s = uri.toString();
    int hash = s.indexOf('#');
    return URI.create(hash < 0 ? s : s.substring(0, hash));
  }

  private static String digest(Path file) throws IOException {
    return HubFetcher.sha256(file);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
