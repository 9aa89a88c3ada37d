package dev.mlplatform.operator.resources;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The labels every child carries, and the smaller, immutable set that selects the pods. */
public final class ChildLabels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String VERSION = "app.kubernetes.io/version";

  public static final String APP_NAME = "model-server";
  public static final String COMPONENT_VALUE = "inference";
  public static final String MANAGER = "mlplatform-operator";

  private static final Pattern INVALID_LABEL_CHARS = Pattern.compile("[^A-Za-z0-9._-]");

  private ChildLabels() {}

  /** All labels of a child of the ModelServer {@code instance}. */
  public static Map<String, String> of(ResolvedSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP_NAME);
    labels.put(INSTANCE, spec.name());
    labels.put(COMPONENT, COMPONENT_VALUE);
    labels.put(MANAGED_BY, MANAGER);
    labels.put(VERSION, version(spec.image()));
    return labels;
  }

  /**
   * Labels that select the pods; never changes for an instance (Deployment selectors are final).
   */
  public static Map<String, String> selector(String instance) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP_NAME);
    labels.put(INSTANCE, instance);
    return labels;
  }

  /**
   * The image tag, made into a valid label value: the version of the server the pods run. A digest
   * reference or an untagged image gives "latest"/the digest prefix.
   */
  static String version(String image) {
    String ref = image;
    int at = ref.indexOf('@');
    if (at >= 0) {
      String digest = ref.substring(at + 1).replace(':', '-');
      return trim(digest);
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon <= slash) {
      return "latest";
    }
    return trim(ref.substring(colon + 1));
  }

  private static String trim(String value) {
    String cleaned = INVALID_LABEL_CHARS.matcher(value).replaceAll("-");
    cleaned = cleaned.length() > 63 ? cleaned.substring(0, 63) : cleaned;
    return cleaned.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
  }
}
