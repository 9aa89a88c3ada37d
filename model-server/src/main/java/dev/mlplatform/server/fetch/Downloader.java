package dev.mlplatform.server.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * HTTP GETs for model files: redirects followed by hand so a token goes only to the host it was
 * meant for (never to the storage a redirect points at), a partial file resumed with a range, and
 * refusals turned into {@link ModelFetchException}s with the server's own message.
 */
final class Downloader {
  private static final int MAX_REDIRECTS = 5;

  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(20))
          .build();
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param what names the model in messages, e.g. {@code hf://org/name@main}
   * @param token sent as a bearer token to {@code uri}'s own host, or {@code null}
   * @param rangeFrom bytes already held, to ask only for the rest (0 for all)
   */
  HttpResponse<InputStream> get(URI uri, String what, String token, long rangeFrom) {
    URI target = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(30)).GET();
      request.header("User-Agent", "mlplatform-model-server");
      if (token != null && Objects.equals(target.getAuthority(), uri.getAuthority())) {
        request.header("Authorization", "Bearer " + token);
      }
      if (rangeFrom > 0) {
        request.header("Range", "bytes=" + rangeFrom + "-");
      }
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw new ModelFetchException(
            Reason.DownloadFailed, what + ": cannot reach " + target + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelFetchException(Reason.DownloadFailed, what + ": interrupted", e);
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
            new ModelFetchException(
                Reason.Unauthorized,
                what
                    + ": access refused ("
                    + status
                    + (token == null ? ", no token given" : ", with the token given")
                    + "): "
                    + message);
        case 404 -> new ModelFetchException(Reason.ModelNotFound, what + ": not found: " + message);
        default ->
            new ModelFetchException(
                Reason.DownloadFailed,
                what + ": " + target + " answered " + status + ": " + message);
      };
    }
    throw new ModelFetchException(Reason.DownloadFailed, what + ": too many redirects from " + uri);
  }

  /**
   * Downloads into {@code partial}, appending to what an interrupted download left there (a server
   * that ignores the range sends the whole file, which replaces the part).
   *
   * @param written told the bytes {@code partial} holds as they arrive
   */
  void download(URI uri, String what, String token, Path partial, LongConsumer written) {
    long have = size(partial);
    HttpResponse<InputStream> response = get(uri, what, token, have);
    boolean resumed = response.statusCode() == 206;
    try (InputStream body = response.body();
        OutputStream out =
            Files.newOutputStream(
                partial,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      long held = resumed ? have : 0;
      written.accept(held);
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = body.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        held += n;
        written.accept(held);
      }
    } catch (IOException e) {
      throw new ModelFetchException(
          Reason.DownloadFailed,
          what
              + ": download of "
              + uri.getPath()
              + " was cut after "
              + size(partial)
              + " bytes: "
              + e,
          e);
    }
  }

  /** The server says why in {@code X-Error-Message} (or a JSON {@code error}); else the status. */
  private String errorMessage(HttpResponse<InputStream> response) {
    String header = response.headers().firstValue("X-Error-Message").orElse(null);
    if (header != null) {
      return header;
    }
    try (InputStream body = response.body()) {
      String text = new String(body.readNBytes(2048), StandardCharsets.UTF_8).strip();
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

  static long size(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
