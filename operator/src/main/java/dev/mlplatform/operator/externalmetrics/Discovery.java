package dev.mlplatform.operator.externalmetrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents of the external-metrics API, as the aggregator reads them to list the
 * group and check the APIService's availability.
 */
final class Discovery {

  private Discovery() {}

  static Map<String, Object> groupList() {
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("kind", "APIGroupList");
    list.put("apiVersion", "v1");
    list.put("groups", List.of(group()));
    return list;
  }

  static Map<String, Object> group() {
    Map<String, Object> version =
        Map.of("groupVersion", ExternalMetric.GROUP_VERSION, "version", ExternalMetric.VERSION);
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("kind", "APIGroup");
    group.put("apiVersion", "v1");
    group.put("name", ExternalMetric.GROUP);
    group.put("versions", List.of(version));
    group.put("preferredVersion", version);
    return group;
  }

  static Map<String, Object> resources() {
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("kind", "APIResourceList");
    list.put("apiVersion", "v1");
    list.put("groupVersion", ExternalMetric.GROUP_VERSION);
    list.put(
        "resources",
        Arrays.stream(ExternalMetric.values())
            .map(
                m -> {
                  Map<String, Object> resource = new LinkedHashMap<>();
                  resource.put("name", m.metricName());
                  resource.put("singularName", "");
                  resource.put("namespaced", true);
                  resource.put("kind", "ExternalMetricValueList");
                  resource.put("verbs", List.of("get"));
                  return resource;
                })
            .toList());
    return list;
  }
}
