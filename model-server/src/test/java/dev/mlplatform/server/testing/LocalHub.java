package dev.mlplatform.server.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Hugging Face Hub that speaks its HTTP file API as {@code
 * huggingface_hub} sees it: {@code /api/models/{repo}/revision/{rev}?blobs=true} lists a repository
 * (commit, files, sizes, LFS SHA-256); {@code /{repo}/resolve/{rev}/{path}} answers 302 with {@code
 * X-Repo-Commit}, {@code ETag}, {@code X-Linked-Etag} and {@code X-Linked-Size} and sends the
 * client to a storage host ({@code localhost} instead of {@code 127.0.0.1}, another authority, as
 * the Hub's CDN is), which serves ranges. Private repositories answer 401 without the token;
 * unknown repositories, revisions and files 404 with {@code X-Error-Message}. Faults on demand: cut
 * a file's first download after some bytes, serve a file whose content does not match its listed
 * digest.
 */
public final class LocalHub implements AutoCloseable {
  private static final Pattern LISTING = Pattern.compile("/api/models/([^/]+/[^/]+)/revision/(.+)");
  private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
  private static final Pattern BLOB = Pattern.compile("/(?:cdn|files)/([0-9a-f]{64})(?:/[^/]+)?");

  /** A file of a repository: its content on disk and its SHA-256. */
  record HubFile(Path content, long size, String sha256) {}

  private record Repo(String commit, Map<String, HubFile> files, String token) {}

  private final HttpServer server;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, HubFile> blobs = new ConcurrentHashMap<>();
  private final Map<String, Long> cutAfter = new ConcurrentHashMap<>();
  private final Map<String, byte[]> corrupt = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> storageAuthorization = new CopyOnWriteArrayList<>();

  public LocalHub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::handle);
    server.start();
  }

  /** The endpoint to give the server as {@code HF_ENDPOINT}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A public repository with these files (path in the repository → content on disk). */
  public String addRepo(String id, Map<String, Path> files) {
    return addRepo(id, files, null);
  }

  /** A repository readable only with {@code token} (or public when it is {@code null}). */
  public String addRepo(String id, Map<String, Path> files, String token) {
    Map<String, HubFile> hubFiles = new LinkedHashMap<>();
    MessageDigest commit = sha256();
    files.forEach(
        (path, content) -> {
          HubFile file = new HubFile(content, size(content), digest(content));
          hubFiles.put(path, file);
          blobs.put(file.sha256(), file);
          commit.update((path + file.sha256()).getBytes(StandardCharsets.UTF_8));
        });
    String sha = HexFormat.of().formatHex(commit.digest()).substring(0, 40);
    repos.put(id, new Repo(sha, hubFiles, token));
    return sha;
  }

  /** Serves a plain file (no repository) at a URL ending in {@code name}, ranges included. */
  public URI publish(String name, Path content) {
    HubFile file = new HubFile(content, size(content), digest(content));
    blobs.put(file.sha256(), file);
    return endpoint().resolve("/files/" + file.sha256() + "/" + name);
  }

  /** The next download of this file stops (connection closed) after {@code bytes}. */
  public void cutOnce(String sha256, long bytes) {
    cutAfter.put(sha256, bytes);
  }

  /** Downloads of this file serve {@code content} instead of what the listing describes. */
  public void corrupt(String sha256, byte[] content) {
    corrupt.put(sha256, content);
  }

  /** Request lines ({@code GET /path Range}) in order, to see what a client asked. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** The Authorization headers the storage host received (should be none). */
  public List<String> storageAuthorization() {
    return List.copyOf(storageAuthorization);
  }

  public static String digest(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = sha256();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
    String range = exchange.getRequestHeaders().getFirst("Range");
    requests.add("GET " + path + (range == null ? "" : " " + range));
    try (exchange) {
      Matcher m;
      if ((m = BLOB.matcher(path)).matches()) {
        storageAuthorization.addAll(
            exchange.getRequestHeaders().getOrDefault("Authorization", List.of()));
        blob(exchange, m.group(1), range);
      } else if ((m = LISTING.matcher(path)).matches()) {
        Repo repo = authorized(exchange, m.group(1));
        if (repo != null && revision(exchange, repo, m.group(2))) {
          listing(exchange, m.group(1), repo);
        }
      } else if ((m = RESOLVE.matcher(path)).matches()) {
        Repo repo = authorized(exchange, m.group(1));
        if (repo != null && revision(exchange, repo, m.group(2))) {
          resolve(exchange, repo, m.group(3));
        }
      } else {
        error(exchange, 404, "Not found");
      }
    }
  }

  private Repo authorized(HttpExchange exchange, String id) throws IOException {
    Repo repo = repos.get(id);
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (repo == null) {
      // the Hub answers 401 for a repository it will not say exists, unless a token is sent
      error(exchange, auth == null ? 401 : 404, "Repository not found");
      return null;
    }
    if (repo.token() != null && !("Bearer " + repo.token()).equals(auth)) {
      error(exchange, 401, "Access to model " + id + " is restricted. You must be authenticated.");
      return null;
    }
    return repo;
  }

  private boolean revision(HttpExchange exchange, Repo repo, String revision) throws IOException {
    if (revision.equals("main") || revision.equals(repo.commit())) {
      return true;
    }
    error(exchange, 404, "Invalid rev id: " + revision);
    return false;
  }

  private void listing(HttpExchange exchange, String id, Repo repo) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("id", id).put("sha", repo.commit());
    ArrayNode siblings = root.putArray("siblings");
    repo.files()
        .forEach(
            (path, file) -> {
              ObjectNode sibling = siblings.addObject().put("rfilename", path);
              sibling.put("size", file.size());
              sibling.putObject("lfs").put("sha256", file.sha256()).put("size", file.size());
            });
    send(exchange, 200, "application/json", json.writeValueAsBytes(root));
  }

  private void resolve(HttpExchange exchange, Repo repo, String path) throws IOException {
    HubFile file = repo.files().get(path);
    if (file == null) {
      exchange.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
      error(exchange, 404, path + " does not exist at commit " + repo.commit());
      return;
    }
    var headers = exchange.getResponseHeaders();
    headers.add("X-Repo-Commit", repo.commit());
    headers.add("ETag", "\"" + file.sha256() + "\"");
    headers.add("X-Linked-Etag", "\"" + file.sha256() + "\"");
    headers.add("X-Linked-Size", "" + file.size());
    headers.add(
        "Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + file.sha256());
    exchange.sendResponseHeaders(302, -1);
  }

  private void blob(HttpExchange exchange, String sha256, String range) throws IOException {
    HubFile file = blobs.get(sha256);
    if (file == null) {
      error(exchange, 404, "no such blob");
      return;
    }
    byte[] replaced = corrupt.get(sha256);
    long size = replaced != null ? replaced.length : file.size();
    long from = 0;
    if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
      from = Long.parseLong(range.substring(6, range.length() - 1));
    }
    Long cut = cutAfter.remove(sha256);
    if (from > 0) {
      exchange
          .getResponseHeaders()
          .add("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
    }
    exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(from > 0 ? 206 : 200, size - from);
    try (InputStream in =
            replaced != null
                ? new java.io.ByteArrayInputStream(replaced)
                : Files.newInputStream(file.content());
        OutputStream out = exchange.getResponseBody()) {
      in.skipNBytes(from);
      long limit = cut != null ? cut : Long.MAX_VALUE;
      byte[] buffer = new byte[1 << 16];
      long sent = 0;
      for (int n;
          sent < limit
              && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - sent))) > 0; ) {
        out.write(buffer, 0, n);
        sent += n;
      }
      if (cut != null) {
        out.flush();
        // leave the response short of its Content-Length: the client sees the connection end
        throw new IOException("cut after " + sent + " bytes (fault injected)");
      }
    }
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    exchange.getResponseHeaders().add("X-Error-Message", message);
    send(
        exchange,
        status,
        "application/json",
        ("{\"error\":\"" + message.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
