package dev.mlplatform.server.fetch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.inference.ModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What {@code fetch} leaves in the container's termination message, as one JSON object the operator
 * reads: on success the source, the revision it resolved to (a Hub commit), the size of the model's
 * files and the SHA-256 of its weights; on failure the reason and the message.
 *
 * @param source the model URI as configured
 * @param revision the Hub commit the revision resolved to, or {@code null} for other sources
 * @param bytes the size of the model's files
 * @param sha256 the SHA-256 of the weights file
 * @param reason why it failed ({@link ModelFetchException.Reason}, or ModelLoadFailed), else null
 * @param message what failed, else {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FetchReport(
    String source, String revision, Long bytes, String sha256, String reason, String message) {
  /** The kubelet keeps at most 4096 bytes of a termination message. */
  private static final int MAX_MESSAGE = 3000;

  public static FetchReport of(String source, ModelFiles files) {
    Path dir = files.directory();
    // a Hub snapshot's folder is named after its commit (snapshots/COMMIT/)
    String revision =
        source.startsWith(HubRepository.SCHEME) && dir.getParent() != null
            ? dir.getFileName().toString()
            : null;
    try (Stream<Path> all = Files.walk(dir)) {
      long bytes =
          all.filter(Files::isRegularFile)
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .mapToLong(FetchReport::size)
              .sum();
      return new FetchReport(
          source, revision, bytes, HubFetcher.sha256(files.weights()), null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static FetchReport failed(String source, RuntimeException e) {
    String reason =
        e instanceof ModelFetchException fetch ? fetch.reason().name() : "ModelLoadFailed";
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "…";
    }
    return new FetchReport(source, null, null, null, reason, message);
  }

  /** Writes the report where the kubelet reads it; outside a pod (no such file) does nothing. */
  public void writeTo(Path terminationLog) {
    if (!Files.isWritable(terminationLog)) {
      return;
    }
    try {
      Files.writeString(terminationLog, new ObjectMapper().writeValueAsString(this));
    } catch (IOException e) {
      // the log line above says the same; the report is a convenience for the operator
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
