package dev.mlplatform.server.fetch;

import dev.mlplatform.contract.ModelUris;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub model repository at a revision: {@code hf://ORG/NAME[@REVISION]}, or a bare id
 * {@code ORG/NAME} at {@code main}.
 *
 * @param id the repository id, {@code ORG/NAME}
 * @param revision a branch, tag or 40-character commit
 */
public record HubRepository(String id, String revision) {
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  public static final String SCHEME = ModelUris.HUB;

  public HubRepository {
    // the grammar the CRD admits (contract), which also keeps ".." out of cache paths
    if (!ModelUris.hubId(id)) {
      throw new IllegalArgumentException(
          "'" + id + "' is not a Hugging Face repository id (ORG/NAME)");
    }
    if (!ModelUris.hubRevision(revision)) {
      throw new IllegalArgumentException("'" + revision + "' is not a revision");
    }
  }

  /** Parses {@code hf://ORG/NAME[@REVISION]}. */
  public static HubRepository parse(String uri) {
    if (!uri.startsWith(SCHEME)) {
      throw new IllegalArgumentException("'" + uri + "' does not start with " + SCHEME);
    }
    String rest = uri.substring(SCHEME.length());
    int at = rest.indexOf('@');
    return at < 0
        ? new HubRepository(rest, "main")
        : new HubRepository(rest.substring(0, at), rest.substring(at + 1));
  }

  /** Whether the revision names a commit (so it can never move). */
  public boolean pinned() {
    return COMMIT.matcher(revision).matches();
  }

  /** The folder name huggingface_hub gives this repository in its cache. */
  String cacheName() {
    return "models--" + id.replace("/", "--");
  }

  @Override
  public String toString() {
    return SCHEME + id + "@" + revision;
  }
}
