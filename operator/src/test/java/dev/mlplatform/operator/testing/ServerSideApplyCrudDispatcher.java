package dev.mlplatform.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * fabric8's CRUD mock API server plus the server-side apply it lacks (it answers an apply PATCH
 * with 404 or 415). Enough of SSA for the operator to run as in production:
 *
 * <ul>
 *   <li>apply on a missing object creates it; with metadata.resourceVersion set on an existing one,
 *       a mismatch is a 409 conflict;
 *   <li>apply on an existing object merges maps recursively and replaces lists and scalars whole
 *       (lists are treated as atomic, not merged by key), keeps fields the manager does not own
 *       (such as the replicas an HPA set), and removes fields the manager applied last time but no
 *       longer applies;
 *   <li>the manager's owned fields are recorded in metadata.managedFields (FieldsV1, operation
 *       Apply, lists as leaves), which JOSDK's SSA matcher reads to detect drift;
 *   <li>an apply that changes nothing is a no-op: no new resourceVersion and no watch event;
 *   <li>an apply to the status subresource replaces the status (only the operator writes it);
 *   <li>a SelfSubjectRulesReview is answered with the Lease rules of the operator's Role;
 *   <li>kubectl's discovery documents are served ({@link Discovery}).
 * </ul>
 *
 * Not modelled: conflicts between managers (every apply here forces), field ownership taken over by
 * non-apply writes, merge keys inside lists, defaulting, CEL and schema validation.
 */
public class ServerSideApplyCrudDispatcher extends KubernetesCrudDispatcher {

  private static final String APPLY_PATCH = "application/apply-patch+yaml";

  private volatile RequestStats stats;

  /** Counts and times every request from now on into {@code stats} (the benchmark does). */
  public void recordInto(RequestStats stats) {
    this.stats = stats;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    RequestStats recording = stats;
    if (recording == null) {
      return super.dispatch(request);
    }
    long start = System.nanoTime();
    try {
      return super.dispatch(request);
    } finally {
      recording.record(request, System.nanoTime() - start);
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> UNMANAGED_METADATA =
      List.of(
          "name",
          "namespace",
          "resourceVersion",
          "uid",
          "creationTimestamp",
          "generation",
          "managedFields",
          "selfLink",
          "deletionTimestamp");

  /**
   * JOSDK asks the API server (SelfSubjectRulesReview) whether it may use its Lease before it
   * starts leader election; the CRUD mock would store the review instead of answering. Answer with
   * the Lease rules the operator's RBAC (k8s/base) grants.
   */
  @Override
  public MockResponse handleGet(String path) {
    int q = path.indexOf('?');
    return Discovery.document(q < 0 ? path : path.substring(0, q))
        .map(doc -> new MockResponse().setResponseCode(200).setBody(doc))
        .orElseGet(() -> super.handleGet(path));
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    if (!request.getPath().contains("/selfsubjectrulesreviews")) {
      return super.handleCreate(request);
    }
    ObjectNode review = (ObjectNode) readJson(request.getBody().readUtf8());
    ObjectNode rule = review.with("status").putArray("resourceRules").addObject();
    rule.putArray("apiGroups").add("coordination.k8s.io");
    rule.putArray("resources").add("leases");
    rule.putArray("verbs").add("get").add("create").add("update");
    review.with("status").putArray("nonResourceRules");
    review.with("status").put("incomplete", false);
    return new MockResponse().setResponseCode(201).setBody(review.toString());
  }

  private static JsonNode readJson(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith(APPLY_PATCH)) {
      return super.handlePatch(request);
    }
    try {
      return apply(request);
    } catch (IOException e) {
      return new MockResponse().setResponseCode(422).setBody(e.getMessage());
    }
  }

  private synchronized MockResponse apply(RecordedRequest request) throws IOException {
    String fullPath = request.getPath();
    int q = fullPath.indexOf('?');
    String path = q < 0 ? fullPath : fullPath.substring(0, q);
    String manager = queryParam(fullPath, "fieldManager");
    if (manager == null || manager.isBlank()) {
      return status(422, "fieldManager is required for apply patch");
    }
    ObjectNode applied = (ObjectNode) YAML.readTree(request.getBody().readUtf8());
    boolean statusPath = path.endsWith("/status");
    String objectPath = statusPath ? path.substring(0, path.length() - "/status".length()) : path;

    // A concurrent plain write can make the PUT below conflict; SSA itself never does.
    for (int attempt = 0; attempt < 5; attempt++) {
      MockResponse current = handleGet(objectPath);
      if (current.code() == HttpURLConnection.HTTP_NOT_FOUND) {
        if (statusPath) {
          return status(404, "not found");
        }
        return create(objectPath, applied, manager);
      }
      ObjectNode existing = (ObjectNode) JSON.readTree(current.getBody().readUtf8());
      String appliedVersion = applied.path("metadata").path("resourceVersion").asText("");
      String existingVersion = existing.path("metadata").path("resourceVersion").asText();
      if (!appliedVersion.isEmpty() && !appliedVersion.equals(existingVersion)) {
        return status(409, "the object has been modified; resourceVersion does not match");
      }
      ObjectNode merged =
          statusPath ? withStatus(existing, applied) : merged(existing, applied, manager);
      if (merged.equals(existing)) {
        return new MockResponse().setResponseCode(200).setBody(JSON.writeValueAsString(existing));
      }
      MockResponse response =
          handleUpdate(
              new RecordedRequest(
                  "HTTP/1.1",
                  HttpMethod.PUT,
                  path,
                  Headers.builder().add("Content-Type", "application/json").build(),
                  new Buffer(JSON.writeValueAsBytes(merged))));
      if (response.code() != HttpURLConnection.HTTP_CONFLICT) {
        return response;
      }
    }
    return status(409, "gave up after repeated conflicts");
  }

  private MockResponse create(String objectPath, ObjectNode applied, String manager)
      throws IOException {
    ObjectNode metadata = applied.with("metadata");
    metadata.remove("resourceVersion");
    metadata.set("managedFields", managedFields(JSON.createArrayNode(), manager, applied));
    String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
    MockResponse response =
        handleCreate(
            new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.POST,
                collection,
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(JSON.writeValueAsBytes(applied))));
    return response;
  }

  private static ObjectNode withStatus(ObjectNode existing, ObjectNode applied) {
    ObjectNode merged = existing.deepCopy();
    if (applied.has("status")) {
      merged.set("status", applied.get("status"));
    }
    return merged;
  }

  private static ObjectNode merged(ObjectNode existing, ObjectNode applied, String manager) {
    ObjectNode result = existing.deepCopy();
    ArrayNode managedFields =
        existing.path("metadata").has("managedFields")
            ? (ArrayNode) existing.path("metadata").get("managedFields").deepCopy()
            : JSON.createArrayNode();
    ObjectNode previous = JSON.createObjectNode();
    for (JsonNode entry : managedFields) {
      if (manager.equals(entry.path("manager").asText())
          && "Apply".equals(entry.path("operation").asText())
          && !entry.has("subresource")) {
        previous = (ObjectNode) entry.path("fieldsV1");
      }
    }
    ObjectNode next = fieldSet(applied, true);
    prune(result, previous, next);
    ObjectNode body = applied.deepCopy();
    body.remove("status");
    mergeInto(result, body, true);
    // Same owned fields: keep the old entry (and its timestamp) so a no-op stays a no-op.
    result
        .with("metadata")
        .set(
            "managedFields",
            previous.equals(next) ? managedFields : managedFields(managedFields, manager, applied));
    return result;
  }

  private static ArrayNode managedFields(ArrayNode existing, String manager, ObjectNode applied) {
    ArrayNode result = JSON.createArrayNode();
    for (JsonNode entry : existing) {
      boolean same =
          manager.equals(entry.path("manager").asText())
              && "Apply".equals(entry.path("operation").asText())
              && !entry.has("subresource");
      if (!same) {
        result.add(entry);
      }
    }
    ObjectNode entry = result.addObject();
    entry.put("manager", manager);
    entry.put("operation", "Apply");
    entry.put("apiVersion", applied.path("apiVersion").asText());
    entry.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    entry.put("fieldsType", "FieldsV1");
    entry.set("fieldsV1", fieldSet(applied, true));
    return result;
  }

  /** FieldsV1 of {@code node}: maps become nested "f:" entries; lists and scalars are leaves. */
  static ObjectNode fieldSet(JsonNode node, boolean root) {
    ObjectNode fields = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      var field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (root && (key.equals("apiVersion") || key.equals("kind") || key.equals("status"))) {
        continue;
      }
      if (value.isNull()) {
        continue;
      }
      ObjectNode child;
      if (root && key.equals("metadata")) {
        ObjectNode metadata = ((ObjectNode) value).deepCopy();
        UNMANAGED_METADATA.forEach(metadata::remove);
        if (metadata.isEmpty()) {
          continue;
        }
        child = fieldSet(metadata, false);
      } else if (value.isObject() && !value.isEmpty()) {
        child = fieldSet(value, false);
      } else {
        child = JsonNodeFactory.instance.objectNode();
      }
      fields.set("f:" + key, child);
    }
    return fields;
  }

  /** Removes from {@code target} what {@code previous} owned and {@code next} no longer does. */
  private static void prune(JsonNode target, JsonNode previous, JsonNode next) {
    if (!(target instanceof ObjectNode object)) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = previous.fields(); it.hasNext(); ) {
      var field = it.next();
      if (!field.getKey().startsWith("f:")) {
        continue;
      }
      String key = field.getKey().substring(2);
      if (!next.has(field.getKey())) {
        object.remove(key);
      } else if (!field.getValue().isEmpty() && !next.get(field.getKey()).isEmpty()) {
        prune(object.get(key), field.getValue(), next.get(field.getKey()));
      }
    }
  }

  private static void mergeInto(ObjectNode target, ObjectNode source, boolean root) {
    for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
      var field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (root && key.equals("metadata")) {
        ObjectNode metadata = ((ObjectNode) value).deepCopy();
        UNMANAGED_METADATA.forEach(metadata::remove);
        mergeInto(target.with("metadata"), metadata, false);
        continue;
      }
      if (value.isNull()) {
        continue;
      }
      JsonNode existing = target.get(key);
      if (value.isObject() && existing != null && existing.isObject()) {
        mergeInto((ObjectNode) existing, (ObjectNode) value, false);
      } else {
        target.set(key, value.deepCopy());
      }
    }
  }

  private static String queryParam(String path, String name) {
    int q = path.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : path.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static MockResponse status(int code, String message) {
    ObjectNode status = JSON.createObjectNode();
    status.put("apiVersion", "v1");
    status.put("kind", "Status");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("code", code);
    return new MockResponse().setResponseCode(code).setBody(status.toString());
  }
}
