package dev.mlplatform.server.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.hub.HubException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Hugging Face Hub's HTTP file API, as {@code huggingface_hub} uses it: the repository listing
 * from {@code /api/models/{repo}/revision/{revision}?blobs=true} and each file from {@code
 * /{repo}/resolve/{commit}/{path}}, following redirects (the token is sent only to the endpoint's
 * own host, never to the storage a redirect points at) and resuming a partial file with a range.
 */
public final class HubClient {
  private static final int MAX_REDIRECTS = 5;

  private final URI endpoint;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param endpoint the Hub or a mirror ({@code HF_ENDPOINT}), e.g. {@code https://huggingface.co}
   * @param token a user access token for private or gated repositories, or {@code null}
   */
  public HubClient(URI endpoint, String token) {
    this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", "") + "/");
    this.token = token == null || token.isBlank() ? null : token.strip();
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
  }

  /** The repository's files at the revision, and the commit it resolved to. */
  public RepoListing listing(HubRepository repo) {
    URI uri =
        endpoint.resolve(
            "api/models/" + repo.id() + "/revision/" + encode(repo.revision()) + "?blobs=true");
    HttpResponse<InputStream> response = send(uri, -1, repo);
    try (InputStream body = response.body()) {
      JsonNode root = json.readTree(body);
      String commit = root.path("sha").asText(null);
      if (commit == null) {
        throw new HubException(
            Reason.DownloadFailed, repo + ": the listing at " + uri + " names no commit");
      }
      List<RepoFile> files = new ArrayList<>();
      for (JsonNode sibling : root.path("siblings")) {
        JsonNode lfs = sibling.path("lfs");
        files.add(
            new RepoFile(
                sibling.path("rfilename").asText(),
                lfs.path("size").asLong(sibling.path("size").asLong(-1)),
                lfs.path("sha256").asText(null)));
      }
      return new RepoListing(commit, List.copyOf(files));
    } catch (IOException e) {
      throw new HubException(
          Reason.DownloadFailed, repo + ": cannot read the listing: " + e.getMessage(), e);
    }
  }

  /**
   * Downloads one file into {@code partial}, appending to what an interrupted download left there
   * (a range request; a server that ignores it sends the whole file, which replaces the part).
   */
  public void download(HubRepository repo, String commit, String path, Path partial) {
    URI uri = endpoint.resolve(repo.id() + "/resolve/" + commit + "/" + encodePath(path));
    long have = Files.isRegularFile(partial) ? size(partial) : 0;
    HttpResponse<InputStream> response = send(uri, have, repo);
    boolean resumed = response.statusCode() == 206;
    try (InputStream body = response.body();
        OutputStream out =
            Files.newOutputStream(
                partial,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      body.transferTo(out);
    } catch (IOException e) {
      throw new HubException(
          Reason.DownloadFailed,
          repo + ": download of " + path + " was cut after " + size(partial) + " bytes: " + e,
          e);
    }
  }

  private HttpResponse<InputStream> send(URI uri, long rangeFrom, HubRepository repo) {
    URI target = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(30)).GET();
      request.header("User-Agent", "mlplatform-model-server");
      if (token != null && Objects.equals(target.getAuthority(), endpoint.getAuthority())) {
        request.header("Authorization", "Bearer " + token);
      }
      if (rangeFrom > 0) {
        request.header("Range", "bytes=" + rangeFrom + "-");
      }
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw new HubException(
            Reason.DownloadFailed, repo + ": cannot reach " + target + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HubException(Reason.DownloadFailed, repo + ": interrupted", e);
      }
      int status = response.statusCode();
      if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
        close(response);
        target = target.resolve(response.headers().firstValue("Location").get());
        continue;
      }
      if (status == 200 || status == 206) {
        return response;
      }
      String message = errorMessage(response);
      close(response);
      throw switch (status) {
        case 401, 403 ->
            new HubException(
                Reason.Unauthorized,
                repo
                    + ": the Hub refused access ("
                    + status
                    + (token == null ? ", no token given" : ", with the token given")
                    + "): "
                    + message);
        case 404 -> new HubException(Reason.ModelNotFound, repo + ": not found: " + message);
        default ->
            new HubException(
                Reason.DownloadFailed,
                repo + ": " + target + " answered " + status + ": " + message);
      };
    }
    throw new HubException(Reason.DownloadFailed, repo + ": too many redirects from " + uri);
  }

  /** The Hub says why in {@code X-Error-Message} (or a JSON {@code error}); else the status. */
  private String errorMessage(HttpResponse<InputStream> response) {
    String header = response.headers().firstValue("X-Error-Message").orElse(null);
    if (header != null) {
      return header;
    }
    try (InputStream body = response.body()) {
      byte[] bytes = body.readNBytes(2048);
      String text = new String(bytes, StandardCharsets.UTF_8).strip();
      try {
        JsonNode error = json.readTree(text).path("error");
        if (error.isTextual()) {
          return error.asText();
        }
      } catch (IOException notJson) {
        // fall through to the raw text
      }
      return text.isEmpty() ? "HTTP " + response.statusCode() : text;
    } catch (IOException e) {
      return "HTTP " + response.statusCode();
    }
  }

  private static void close(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // nothing left to read from it
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodePath(String path) {
    return String.join(
        "/", java.util.Arrays.stream(path.split("/")).map(HubClient::encode).toList());
  }
}
