package dev.mlplatform.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery documents kubectl needs before it sends a request, which the CRUD mock does not
 * serve: /version, /api, /apis, /api/v1 and /apis/GROUP/VERSION for the kinds the operator uses.
 */
final class Discovery {

  private record Kind(
      String plural, String singular, String kind, boolean namespaced, List<String> shortNames) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, List<Kind>> GROUP_VERSIONS = new LinkedHashMap<>();

  static {
    GROUP_VERSIONS.put(
        "v1",
        List.of(
            new Kind("configmaps", "configmap", "ConfigMap", true, List.of("cm")),
            new Kind("services", "service", "Service", true, List.of("svc")),
            new Kind("pods", "pod", "Pod", true, List.of("po")),
            new Kind("events", "event", "Event", true, List.of("ev")),
            new Kind("namespaces", "namespace", "Namespace", false, List.of("ns"))));
    GROUP_VERSIONS.put(
        "apps/v1",
        List.of(new Kind("deployments", "deployment", "Deployment", true, List.of("deploy"))));
    GROUP_VERSIONS.put(
        "autoscaling/v2",
        List.of(
            new Kind(
                "horizontalpodautoscalers",
                "horizontalpodautoscaler",
                "HorizontalPodAutoscaler",
                true,
                List.of("hpa"))));
    GROUP_VERSIONS.put(
        "policy/v1",
        List.of(
            new Kind(
                "poddisruptionbudgets",
                "poddisruptionbudget",
                "PodDisruptionBudget",
                true,
                List.of("pdb"))));
    GROUP_VERSIONS.put(
        "serving.mlplatform.dev/v1alpha1",
        List.of(new Kind("modelservers", "modelserver", "ModelServer", true, List.of("msrv"))));
  }

  private Discovery() {}

  /** The document for {@code path} (without query), if it is a discovery path. */
  static Optional<String> document(String path) {
    switch (path) {
      case "/version":
        return Optional.of(
            "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-mock\",\"platform\":\"linux/amd64\"}");
      case "/api":
        return Optional.of(
            "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}");
      case "/apis":
        return Optional.of(groups());
      default:
        String groupVersion =
            path.startsWith("/api/")
                ? path.substring(5)
                : path.startsWith("/apis/") ? path.substring(6) : null;
        if (groupVersion != null && GROUP_VERSIONS.containsKey(groupVersion)) {
          return Optional.of(resources(groupVersion));
        }
        return Optional.empty();
    }
  }

  private static String groups() {
    ObjectNode list = JSON.createObjectNode();
    list.put("kind", "APIGroupList");
    list.put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    GROUP_VERSIONS.keySet().stream()
        .filter(gv -> gv.contains("/"))
        .forEach(
            gv -> {
              String[] parts = gv.split("/");
              ObjectNode group = groups.addObject();
              group.put("name", parts[0]);
              ObjectNode version = JSON.createObjectNode();
              version.put("groupVersion", gv);
              version.put("version", parts[1]);
              group.putArray("versions").add(version);
              group.set("preferredVersion", version);
            });
    return list.toString();
  }

  private static String resources(String groupVersion) {
    ObjectNode list = JSON.createObjectNode();
    list.put("kind", "APIResourceList");
    list.put("apiVersion", "v1");
    list.put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    for (Kind kind : GROUP_VERSIONS.get(groupVersion)) {
      ObjectNode resource = resources.addObject();
      resource.put("name", kind.plural());
      resource.put("singularName", kind.singular());
      resource.put("namespaced", kind.namespaced());
      resource.put("kind", kind.kind());
      ArrayNode verbs = resource.putArray("verbs");
      List.of("create", "delete", "get", "list", "patch", "update", "watch").forEach(verbs::add);
      ArrayNode shortNames = resource.putArray("shortNames");
      kind.shortNames().forEach(shortNames::add);
    }
    return list.toString();
  }
}
