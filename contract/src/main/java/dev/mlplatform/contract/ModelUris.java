package dev.mlplatform.contract;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The model sources a ModelServer may name in {@code spec.model.uri}: the CRD's schema uses {@link
 * #PATTERN} so the API server refuses what the server could not load, and both sides classify a URI
 * the same way.
 */
public final class ModelUris {
  public static final String BUNDLED = "bundled:";
  public static final String FILE = "file:///";
  public static final String HUB = "hf://";
  public static final String VOLUME = "pvc://";

  /** A name of letters, digits, '-', '_' and single dots, as the Hub allows for ORG and NAME. */
  // [.] rather than an escaped dot: the same text must also compile as a CEL string
  private static final String HUB_NAME = "[A-Za-z0-9]([.]?[A-Za-z0-9_-])*";

  /** A Hugging Face repository id, ORG/NAME. */
  public static final String HUB_ID = HUB_NAME + "/" + HUB_NAME;

  /** A branch, tag or commit: no empty or {@code ..} path segments can reach the cache's paths. */
  public static final String HUB_REVISION = "[A-Za-z0-9]([.]?[A-Za-z0-9_-]|/[A-Za-z0-9])*";

  /**
   * An http(s) URL of a model archive as Java's own URI parser reads it: a host name (its last
   * label starting with a letter) or IPv4 address, an optional port, a path ending in the archive's
   * extension, an optional query, and an optional {@code #sha256=} pin.
   */
  public static final String ARCHIVE_URL =
      "https?://((\\d{1,3}\\.){3}\\d{1,3}|([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*"
          + "[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)(:\\d{1,5})?"
          + "/([A-Za-z0-9._~/+-]|%[0-9A-Fa-f]{2})*\\.(tar\\.gz|tgz|zip)"
          + "(\\?([A-Za-z0-9._~=&+-]|%[0-9A-Fa-f]{2})*)?"
          + "(#sha256=[0-9a-fA-F]{64})?";

  /** Every accepted form, anchored (a JSON-schema {@code pattern} and a Java regex alike). */
  public static final String PATTERN =
      "^(bundled:[a-z0-9][a-z0-9.-]*"
          + "|file:///\\S*"
          + "|hf://"
          + HUB_ID
          + "(@"
          + HUB_REVISION
          + ")?"
          + "|"
          + ARCHIVE_URL
          + "|pvc://[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/\\S*)$";

  /**
   * The CEL rule on spec.model: without a URI, the id must name a bundled model or a Hub
   * repository, the two defaults the server knows (the list must equal {@link #BUNDLED_MODEL_IDS};
   * a test checks it).
   */
  public static final String ID_WITHOUT_URI_RULE =
      "has(self.uri) || self.id in ['sentence-transformers/all-MiniLM-L6-v2', 'all-MiniLM-L6-v2']"
          + " || self.id.matches('^"
          + HUB_ID
          + "$')";

  /** What {@link #PATTERN} accepts, in words, for messages and {@code kubectl explain}. */
  public static final String FORMS =
      "bundled:<name>, file:///<dir> (in the image), hf://<org>/<name>[@<revision>] (Hugging Face"
          + " Hub), https://<host>/<path>.tar.gz|.tgz|.zip[#sha256=<hex>] (an archive of a model"
          + " directory) or pvc://<claim>/<path> (a PersistentVolumeClaim, mounted read-only)";

  /** The model ids whose weights the server image carries (served with no URI, offline). */
  public static final Set<String> BUNDLED_MODEL_IDS =
      Set.of("sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2");

  /** The server's command that only fills the model cache (the operator's init container). */
  public static final String FETCH_COMMAND = "fetch";

  /** The server's command that judges environments (JSON lines on stdin) with its own loader. */
  public static final String CHECK_CONFIG_COMMAND = "check-config";

  private static final Pattern COMPILED = Pattern.compile(PATTERN);
  private static final Pattern HUB_ID_COMPILED = Pattern.compile(HUB_ID);
  private static final Pattern HUB_REVISION_COMPILED = Pattern.compile(HUB_REVISION);
  private static final Pattern ARCHIVE_URL_COMPILED = Pattern.compile(ARCHIVE_URL);

  private ModelUris() {}

  public static boolean valid(String uri) {
    return uri != null && COMPILED.matcher(uri).matches();
  }

  public static boolean hubId(String id) {
    return id != null && HUB_ID_COMPILED.matcher(id).matches();
  }

  public static boolean hubRevision(String revision) {
    return revision != null && HUB_REVISION_COMPILED.matcher(revision).matches();
  }

  public static boolean archiveUrl(String uri) {
    return uri != null && ARCHIVE_URL_COMPILED.matcher(uri).matches();
  }

  /** What {@link #ID_WITHOUT_URI_RULE} says, in Java. */
  public static boolean servableWithoutUri(String id) {
    return BUNDLED_MODEL_IDS.contains(id) || hubId(id);
  }

  /**
   * Whether the server must download the model before it can serve: a Hub repository or an archive,
   * or no URI and an id that is not bundled (the server then reads {@code hf://ID}).
   */
  public static boolean downloads(String modelId, String uri) {
    if (uri == null) {
      return !BUNDLED_MODEL_IDS.contains(modelId) && hubId(modelId);
    }
    return uri.startsWith(HUB) || uri.startsWith("https://") || uri.startsWith("http://");
  }
}
