package dev.mlplatform.operator.testing;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request to the mock API server as the fault rules and the tests see it: the verb, and the
 * namespace, resource (plural), name and subresource parsed from the path.
 *
 * @param nanos {@link System#nanoTime()} when the request arrived
 * @param method HTTP method
 * @param path path and query
 * @param namespace namespace, or null for cluster-scoped and non-resource paths
 * @param resource resource plural (configmaps, deployments, modelservers ...), or null
 * @param name object name, or null for a collection
 * @param subresource "status" and the like, or null
 */
public record ApiRequest(
    long nanos,
    String method,
    String path,
    String namespace,
    String resource,
    String name,
    String subresource) {

  private static final Pattern NAMESPACED =
      Pattern.compile(
          "^/(?:api/[^/]+|apis/[^/]+/[^/]+)/namespaces/([^/?]+)/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?");
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH");

  /** The five kinds the operator writes for a ModelServer. */
  public static final Set<String> CHILDREN =
      Set.of(
          "configmaps",
          "deployments",
          "services",
          "horizontalpodautoscalers",
          "poddisruptionbudgets");

  static ApiRequest of(RecordedRequest request) {
    String path = request.getPath();
    Matcher m = NAMESPACED.matcher(path);
    String method = String.valueOf(request.getMethod());
    if (!m.find()) {
      return new ApiRequest(System.nanoTime(), method, path, null, null, null, null);
    }
    return new ApiRequest(
        System.nanoTime(), method, path, m.group(1), m.group(2), m.group(3), m.group(4));
  }

  /** A create, update or patch (server-side apply included). */
  public boolean isWrite() {
    return WRITES.contains(method);
  }

  /** A write to the status subresource. */
  public boolean isStatusWrite() {
    return isWrite() && "status".equals(subresource);
  }

  /** A write of one of the ModelServer's children (not their status). */
  public boolean isChildWrite() {
    return isWrite() && resource != null && CHILDREN.contains(resource) && subresource == null;
  }

  public boolean isWatch() {
    return path.contains("watch=true");
  }

  @Override
  public String toString() {
    return method + " " + path;
  }
}
