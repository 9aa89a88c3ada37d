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

  /** A Hugging Face repository id, ORG/NAME, as the Hub allows them. */
  public static final String HUB_ID =
      "[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}";

  /** Every accepted form, anchored (a JSON-schema {@code pattern} and a Java regex alike). */
  public static final String PATTERN =
      "^(bundled:[a-z0-9][a-z0-9.-]*"
          + "|file:///\\S*"
          + "|hf://"
          + HUB_ID
          + "(@[A-Za-z0-9][A-Za-z0-9._/-]{0,199})?"
          + "|https?://[^\\s/#]+/[^\\s#]*\\.(tar\\.gz|tgz|zip)(#sha256=[0-9a-fA-F]{64})?"
          + "|pvc://[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[^\\s]*)$";

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

  private static final Pattern COMPILED = Pattern.compile(PATTERN);
  private static final Pattern HUB_ID_COMPILED = Pattern.compile(HUB_ID);

  private ModelUris() {}

  public static boolean valid(String uri) {
    return uri != null && COMPILED.matcher(uri).matches();
  }

  /**
   * Whether the server must download the model before it can serve: a Hub repository or an archive,
   * or no URI and an id that is not bundled (the server then reads {@code hf://ID}).
   */
  public static boolean downloads(String modelId, String uri) {
    if (uri == null) {
      return !BUNDLED_MODEL_IDS.contains(modelId) && HUB_ID_COMPILED.matcher(modelId).matches();
    }
    return uri.startsWith(HUB) || uri.startsWith("https://") || uri.startsWith("http://");
  }
}
