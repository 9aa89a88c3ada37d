package dev.mlplatform.server.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The Hugging Face Hub's HTTP file API, as {@code huggingface_hub} uses it: the repository listing
 * from {@code /api/models/{repo}/revision/{revision}?blobs=true} and each file from {@code
 * /{repo}/resolve/{commit}/{path}} through the {@link Downloader} (redirects, the token only for
 * the endpoint's own host, ranges).
 */
public final class HubClient {
  private final URI endpoint;
  private final String token;
  private final Downloader downloader = new Downloader();
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param endpoint the Hub or a mirror ({@code HF_ENDPOINT}), e.g. {@code https://huggingface.co}
   * @param token a user access token for private or gated repositories, or {@code null}
   */
  public HubClient(URI endpoint, String token) {
    this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", "") + "/");
    this.token = token == null || token.isBlank() ? null : token.strip();
  }

  /** The repository's files at the revision, and the commit it resolved to. */
  public RepoListing listing(HubRepository repo) {
    URI uri =
        endpoint.resolve(
            "api/models/" + repo.id() + "/revision/" + encode(repo.revision()) + "?blobs=true");
    HttpResponse<InputStream> response = downloader.get(uri, repo.toString(), token, 0);
    try (InputStream body = response.body()) {
      JsonNode root = json.readTree(body);
      String commit = root.path("sha").asText(null);
      if (commit == null) {
        throw new ModelFetchException(
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
      throw new ModelFetchException(
          Reason.DownloadFailed, repo + ": cannot read the listing: " + e.getMessage(), e);
    }
  }

  /**
   * Downloads one file into {@code partial}, appending to what an interrupted download left there;
   * {@code written} is told the bytes it holds as they arrive.
   */
  public void download(
      HubRepository repo, String commit, String path, Path partial, LongConsumer written) {
    downloader.download(
        endpoint.resolve(repo.id() + "/resolve/" + commit + "/" + encodePath(path)),
        repo.toString(),
        token,
        partial,
        written);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodePath(String path) {
    return String.join(
        "/", java.util.Arrays.stream(path.split("/")).map(HubClient::encode).toList());
  }
}
