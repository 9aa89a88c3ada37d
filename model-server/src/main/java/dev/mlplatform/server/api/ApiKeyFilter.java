package dev.mlplatform.server.api;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Checks {@code Authorization: Bearer KEY} on the API routes when an API key is configured, as
 * text-embeddings-inference's {@code --api-key} does. Health routes stay open for the kubelet, and
 * metrics are on their own port. The comparison takes the same time whatever the key's prefix.
 */
final class ApiKeyFilter {
  private static final Set<String> OPEN = Set.of("/health/live", "/health/ready");
  private final byte[] expected;

  ApiKeyFilter(String apiKey) {
    this.expected = ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
  }

  void check(Context ctx) {
    if (OPEN.contains(ctx.path())) {
      return;
    }
    String header = ctx.header("Authorization");
    byte[] presented =
        header == null ? new byte[0] : header.strip().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, presented)) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw ApiException.unauthorized(
          header == null
              ? "this server needs an API key: send 'Authorization: Bearer <key>'"
              : "the API key is not valid");
    }
  }
}
