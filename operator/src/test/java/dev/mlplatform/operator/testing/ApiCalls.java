package dev.mlplatform.operator.testing;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request a fabric8 client sends, as the API server's authorizer names it: a verb ({@code
 * get}, {@code list}, {@code watch}, {@code create}, {@code update}, {@code patch}, {@code delete},
 * {@code deletecollection}) and a resource ({@code apps/deployments}, {@code modelservers/status}
 * with its group, core resources bare), or {@code get /apis/...} for non-resource URLs such as
 * discovery. Installed on the client under test with {@link #install}; counts requests when they
 * are sent and remembers the ones the API server refused with 403. An operator in a process of its
 * own ({@link RecordingOperatorMain}) serves the same as text ({@link #report}, {@link #parse}) and
 * appends each refusal to a journal file at once, so that it survives the process exiting.
 */
public final class ApiCalls implements Interceptor {

  /** One authorizer request: verb and resource, e.g. {@code patch apps/deployments}. */
  public record Call(String verb, String resource) {
    @Override
    public String toString() {
      return verb + " " + resource;
    }

    /**
     * Whether this call writes: everything but get, list and watch, and but the reviews of
     * authorization.k8s.io, which are created to ask a question and stored nowhere.
     */
    public boolean writes() {
      return !(verb.equals("get") || verb.equals("list") || verb.equals("watch"))
          && !resource.startsWith("authorization.k8s.io/");
    }
  }

  /** A refused call, with the path it was sent to. */
  public record Refused(Call call, int code, String path) {
    @Override
    public String toString() {
      return code + " " + call + " (" + path + ")";
    }
  }

  private final Map<Call, LongAdder> sent = new ConcurrentHashMap<>();
  private final Queue<Refused> refused = new ConcurrentLinkedQueue<>();
  private final Set<Call> appliedCreates = ConcurrentHashMap.newKeySet();
  private volatile Path journal;

  /** What a recorder had seen, as read back from {@link #report}. */
  public record Report(Map<Call, Long> sent, Set<Call> authorized, List<Refused> refused) {
    public long total() {
      return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    public long writes() {
      return sent.entrySet().stream()
          .filter(e -> e.getKey().writes())
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }

  /** Appends every refused call to {@code file} as soon as it comes back. */
  public ApiCalls journal(Path file) {
    this.journal = file;
    return this;
  }

  /** Adds this recorder to a client being built. */
  public io.fabric8.kubernetes.client.KubernetesClientBuilder install(
      io.fabric8.kubernetes.client.KubernetesClientBuilder builder) {
    return builder.withHttpClientBuilderConsumer(
        http -> http.addOrReplaceInterceptor("api-calls", this));
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    sent.computeIfAbsent(call(request.method(), request.uri()), k -> new LongAdder()).increment();
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (response.code() == 201 && request.method().equals("PATCH")) {
      // a server-side apply that created the object: authorized as patch and as create
      appliedCreates.add(new Call("create", call(request.method(), request.uri()).resource()));
    }
    if (response.code() == 401 || response.code() == 403) {
      Refused refusal =
          new Refused(
              call(request.method(), request.uri()), response.code(), request.uri().getPath());
      refused.add(refusal);
      Path file = journal;
      if (file != null) {
        synchronized (this) {
          try {
            Files.writeString(
                file, line(refusal) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
  }

  /** Requests sent so far by call, sorted by name. */
  public Map<Call, Long> sent() {
    Map<Call, Long> counts = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    sent.forEach((call, n) -> counts.put(call, n.sum()));
    return counts;
  }

  /**
   * What the API server authorized: every call sent, and {@code create} where a server-side apply
   * (a patch) created the object, which the API server authorizes as both.
   */
  public Set<Call> authorized() {
    Set<Call> all = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
    all.addAll(sent.keySet());
    all.addAll(appliedCreates);
    return all;
  }

  /** All requests sent so far. */
  public long total() {
    return sent.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Writing requests sent so far (create, update, patch, delete). */
  public long writes() {
    return sent.entrySet().stream()
        .filter(e -> e.getKey().writes())
        .mapToLong(e -> e.getValue().sum())
        .sum();
  }

  /** The requests the API server refused (401 or 403), in the order they came back. */
  public List<Refused> refused() {
    return List.copyOf(refused);
  }

  /** Everything seen so far, one line each: {@code sent COUNT VERB RESOURCE}, and so on. */
  public String report() {
    StringBuilder text = new StringBuilder();
    sent()
        .forEach((call, n) -> text.append("sent ").append(n).append(' ').append(call).append('\n'));
    appliedCreates.forEach(call -> text.append("applied-create ").append(call).append('\n'));
    refused.forEach(r -> text.append(line(r)).append('\n'));
    return text.toString();
  }

  private static String line(Refused r) {
    return "refused " + r.code() + " " + r.call() + " " + r.path();
  }

  /** Reads a {@link #report} (or a journal) back. */
  public static Report parse(String report) {
    Map<Call, Long> sent = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    Set<Call> authorized = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
    List<Refused> refused = new java.util.ArrayList<>();
    for (String line : report.split("\n")) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "sent" -> {
          Call call = new Call(f[2], f[3]);
          sent.put(call, Long.parseLong(f[1]));
          authorized.add(call);
        }
        case "applied-create" -> authorized.add(new Call(f[1], f[2]));
        case "refused" ->
            refused.add(new Refused(new Call(f[2], f[3]), Integer.parseInt(f[1]), f[4]));
        default -> {}
      }
    }
    return new Report(sent, authorized, refused);
  }

  public void reset() {
    sent.clear();
    refused.clear();
    appliedCreates.clear();
  }

  /** The authorizer's verb and resource of a request (see the class comment). */
  public static Call call(String method, URI uri) {
    String path = uri.getPath();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    int first; // index of the first segment after the group and version
    String group;
    if (parts.length >= 2 && parts[0].equals("api")) {
      group = "";
      first = 2;
    } else if (parts.length >= 3 && parts[0].equals("apis")) {
      group = parts[1];
      first = 3;
    } else {
      return new Call(method.toLowerCase(), path); // /api, /apis/GROUP, /version...
    }
    if (parts.length == first) {
      return new Call(method.toLowerCase(), path); // discovery of one group version
    }
    String[] rest = java.util.Arrays.copyOfRange(parts, first, parts.length);
    if (rest[0].equals("namespaces") && rest.length >= 3) {
      rest = java.util.Arrays.copyOfRange(rest, 2, rest.length);
    }
    String resource = rest[0] + (rest.length >= 3 ? "/" + rest[2] : "");
    boolean named = rest.length >= 2;
    String verb =
        switch (method) {
          case "GET" ->
              named ? "get" : query.matches("(^|.*&)watch=(true|1)(&.*|$)") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> method.toLowerCase();
        };
    return new Call(verb, group.isEmpty() ? resource : group + "/" + resource);
  }
}
