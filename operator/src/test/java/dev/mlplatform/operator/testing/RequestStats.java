package dev.mlplatform.operator.testing;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the mock API server spent its time on: requests counted and timed server-side (from the
 * dispatcher being handed the request to its response being ready, watch events sent on a write
 * included), by verb and resource, e.g. {@code apply deployments} or {@code patch-status
 * modelservers}. The benchmark reads it to separate the mock's share of the time from the
 * operator's.
 */
public final class RequestStats {

  /** One verb and resource: how many requests, their total and longest service time. */
  public record Line(String key, long count, long totalNanos, long maxNanos) {}

  private record Totals(LongAdder count, LongAdder nanos, LongAccumulator max) {
    Totals() {
      this(new LongAdder(), new LongAdder(), new LongAccumulator(Math::max, 0));
    }
  }

  private final Map<String, Totals> byKey = new ConcurrentHashMap<>();

  void record(RecordedRequest request, long nanos) {
    Totals totals = byKey.computeIfAbsent(key(request), k -> new Totals());
    totals.count().increment();
    totals.nanos().add(nanos);
    totals.max().accumulate(nanos);
  }

  public void reset() {
    byKey.clear();
  }

  /** The lines so far, the most time-consuming first. */
  public List<Line> lines() {
    return byKey.entrySet().stream()
        .map(
            e ->
                new Line(
                    e.getKey(),
                    e.getValue().count().sum(),
                    e.getValue().nanos().sum(),
                    e.getValue().max().get()))
        .sorted(Comparator.comparingLong(Line::totalNanos).reversed())
        .toList();
  }

  /**
   * {@code VERB RESOURCE}: the verb as kubectl's audit log names it (get, list, watch, create,
   * update, apply, merge-patch, json-patch, delete), suffixed {@code -status} for the status
   * subresource; the resource is the plural, or {@code discovery}.
   */
  static String key(RecordedRequest request) {
    String full = request.getPath();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    String query = q < 0 ? "" : full.substring(q + 1);
    String[] segments = path.replaceFirst("^/", "").split("/");
    int prefix = segments.length > 0 && segments[0].equals("apis") ? 3 : 2;
    String resource = "discovery";
    boolean named = false;
    boolean status = false;
    if (segments.length > prefix) {
      int at = prefix;
      if (segments[at].equals("namespaces") && segments.length > at + 2) {
        at += 2;
      }
      resource = segments[at];
      named = segments.length > at + 1;
      status = segments.length > at + 2 && segments[at + 2].equals("status");
    }
    String contentType = request.getHeader("Content-Type");
    String verb =
        switch (request.method()) {
          case GET -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
          case POST -> "create";
          case PUT -> "update";
          case DELETE -> "delete";
          case PATCH ->
              contentType == null
                  ? "patch"
                  : contentType.startsWith("application/apply-patch")
                      ? "apply"
                      : contentType.startsWith("application/json-patch")
                          ? "json-patch"
                          : contentType.startsWith("application/merge-patch")
                              ? "merge-patch"
                              : "patch";
          default -> request.method().name().toLowerCase();
        };
    return verb + (status ? "-status " : " ") + resource;
  }
}
