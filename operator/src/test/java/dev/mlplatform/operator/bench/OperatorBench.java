package dev.mlplatform.operator.bench;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.testing.MockCluster;
import dev.mlplatform.operator.testing.RequestStats;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code make bench-operator}: the shaded operator in its own JVM against the mock API server; 200
 * ModelServers created at once. Reports the time from the last create until all 1,000 children
 * exist and every status has caught up with its generation, the median and p95 per-CR latency, and
 * the operator's live heap after a full GC. Not a test: figures depend on the machine.
 *
 * <p>Run: {@code cd operator && mvn -q -B package -DskipTests && mvn -q -B exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=dev.mlplatform.operator.bench.OperatorBench}
 * (optional {@code -Dbench.count=200}).
 */
public final class OperatorBench {

  private static final String NAMESPACE = "bench";

  /** Held here: JUL keeps loggers weakly, and a collected one forgets its level. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  private OperatorBench() {}

  public static void main(String[] args) throws Exception {
    int count = Integer.getInteger("bench.count", 200);
    if (!Boolean.getBoolean("bench.mockLog")) {
      // The mock logs every request at INFO on its one event-loop thread; the tests keep it.
      MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }
    Path jar =
        Files.list(Path.of("target"))
            .filter(p -> p.getFileName().toString().endsWith("-all.jar"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("run mvn package first"));
    try (MockCluster cluster = MockCluster.start()) {
      int port = freePort();
      Process operator = startOperator(jar, cluster.url(), port);
      try {
        awaitReady(port);
        run(cluster, count, operator.pid(), port);
      } finally {
        operator.destroy();
        operator.waitFor(20, TimeUnit.SECONDS);
        operator.destroyForcibly();
      }
    }
    System.exit(0);
  }

  private static void run(MockCluster cluster, int count, long pid, int port) throws Exception {
    KubernetesClient client = cluster.client();
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Map<String, Long>> childSeen = new ConcurrentHashMap<>();
    Map<String, Long> statusCaughtUp = new ConcurrentHashMap<>();
    List<SharedIndexInformer<?>> informers = new ArrayList<>();
    Consumer<HasMetadata> child =
        r ->
            childSeen
                .computeIfAbsent(instance(r), k -> new ConcurrentHashMap<>())
                .putIfAbsent(r.getKind(), System.nanoTime());
    informers.add(client.configMaps().inNamespace(NAMESPACE).inform(handler(child)));
    informers.add(client.apps().deployments().inNamespace(NAMESPACE).inform(handler(child)));
    informers.add(client.services().inNamespace(NAMESPACE).inform(handler(child)));
    informers.add(
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(NAMESPACE)
            .inform(handler(child)));
    informers.add(
        client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).inform(handler(child)));
    informers.add(
        client
            .resources(ModelServer.class)
            .inNamespace(NAMESPACE)
            .inform(
                handler(
                    ms -> {
                      var status = ((ModelServer) ms).getStatus();
                      if (status != null
                          && status.getObservedGeneration() != null
                          && status
                              .getObservedGeneration()
                              .equals(ms.getMetadata().getGeneration())) {
                        statusCaughtUp.putIfAbsent(ms.getMetadata().getName(), System.nanoTime());
                      }
                    })));

    RequestStats requests = new RequestStats();
    Map<String, Double> operatorBefore = josdkCounters(port);
    Duration operatorCpuBefore = cpu(pid);
    Map<String, Long> threadCpuBefore = threadCpuMillis(pid);
    long mockCpuBefore = mockEventLoopCpuNanos();
    Duration benchCpuBefore = cpu(ProcessHandle.current().pid());
    cluster.dispatcher().recordInto(requests);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      String name = String.format("bench-%03d", i);
      pool.submit(
          () -> {
            ModelServer server = TestModelServers.minimal(name, NAMESPACE);
            server.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
            client.resource(server).create();
            created.put(name, System.nanoTime());
          });
    }
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.MINUTES);
    long lastCreate = Collections.max(created.values());

    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!done(created.keySet(), childSeen, statusCaughtUp) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    boolean complete = done(created.keySet(), childSeen, statusCaughtUp);
    long finished = System.nanoTime();
    cluster.dispatcher().recordInto(null);
    Duration operatorCpu = cpu(pid).minus(operatorCpuBefore);
    Map<String, Long> threadCpu = threadCpuMillis(pid);
    threadCpuBefore.forEach((k, v) -> threadCpu.merge(k, -v, Long::sum));
    long mockCpu = mockEventLoopCpuNanos() - mockCpuBefore;
    Duration benchCpu = cpu(ProcessHandle.current().pid()).minus(benchCpuBefore);
    Map<String, Double> operatorAfter = josdkCounters(port);
    long end =
        Stream.concat(
                childSeen.values().stream().flatMap(m -> m.values().stream()),
                statusCaughtUp.values().stream())
            .max(Long::compare)
            .orElse(lastCreate);
    List<Long> latencies = new ArrayList<>();
    for (String name : created.keySet()) {
      long doneAt =
          Stream.concat(
                  childSeen.getOrDefault(name, Map.of()).values().stream(),
                  Stream.ofNullable(statusCaughtUp.get(name)))
              .max(Long::compare)
              .orElse(end);
      latencies.add(doneAt - created.get(name));
    }
    Collections.sort(latencies);
    informers.forEach(SharedIndexInformer::close);

    // The mock's own cost per request once it holds everything: it scans all stored objects
    // under one lock for every request, so this bounds how fast any client can go.
    long probeStart = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      client.configMaps().inNamespace(NAMESPACE).withName("bench-000-config").get();
    }
    long mockGetMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - probeStart) / 100;

    new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").inheritIO().start().waitFor();
    Thread.sleep(500);
    double heap = heapUsed(port);
    operatorMetrics(port).forEach(line -> System.out.println("  " + line));
    long rssKb = rssKb(pid);

    long children = childSeen.values().stream().mapToLong(Map::size).sum();
    System.out.printf(
        "%nModelServers created:            %d in %d ms%n", count, ms(lastCreate - start));
    System.out.printf("children present:                %d of %d%n", children, count * 5L);
    System.out.printf("statuses at their generation:    %d of %d%n", statusCaughtUp.size(), count);
    System.out.printf(
        "last create -> all done:         %d ms%s%n",
        ms(end - lastCreate), complete ? "" : " (INCOMPLETE after 3 min)");
    System.out.printf(
        "per-CR latency median / p95:     %d / %d ms%n",
        ms(latencies.get(latencies.size() / 2)), ms(latencies.get(latencies.size() * 95 / 100)));
    System.out.printf("mock API server, one GET:        %d us%n", mockGetMicros);
    printDecomposition(
        count,
        finished - start,
        requests,
        mockCpu,
        benchCpu,
        operatorCpu,
        threadCpu,
        operatorBefore,
        operatorAfter);
    System.out.printf("operator live heap after GC:     %.1f MB%n", heap / 1024 / 1024);
    System.out.printf("operator RSS:                    %.1f MB%n", rssKb / 1024.0);
  }

  /**
   * Where the time between the first create and the end went: the mock's service time by verb and
   * resource (it serves one request at a time, so the sum is its busy time), the operator process's
   * CPU time, and how often JOSDK reconciled each ModelServer.
   */
  private static void printDecomposition(
      int count,
      long wallNanos,
      RequestStats requests,
      long mockCpuNanos,
      Duration benchCpu,
      Duration operatorCpu,
      Map<String, Long> threadCpu,
      Map<String, Double> before,
      Map<String, Double> after) {
    List<RequestStats.Line> lines = requests.lines();
    long busy = lines.stream().mapToLong(RequestStats.Line::totalNanos).sum();
    long total = lines.stream().mapToLong(RequestStats.Line::count).sum();
    System.out.printf(
        "%nfirst create -> all done (wall): %d ms%n"
            + "mock busy (sum of service times): %d ms = %.0f%% of wall; event-loop CPU %d ms%n",
        ms(wallNanos), ms(busy), 100.0 * busy / wallNanos, ms(mockCpuNanos));
    System.out.printf(
        "benchmark JVM CPU (mock, its informers, the creates): %d ms%n", benchCpu.toMillis());
    System.out.printf(
        "mock requests:                   %d, %.1f per ModelServer%n",
        total, (double) total / count);
    System.out.printf(
        "  %-34s %7s %8s %9s %9s %8s%n",
        "verb resource", "count", "per CR", "total ms", "mean ms", "max ms");
    for (RequestStats.Line line : lines) {
      System.out.printf(
          "  %-34s %7d %8.2f %9d %9.2f %8d%n",
          line.key(),
          line.count(),
          (double) line.count() / count,
          ms(line.totalNanos()),
          line.totalNanos() / 1e6 / line.count(),
          ms(line.maxNanos()));
    }
    System.out.printf(
        "operator CPU:                    %d ms, %.1f ms per ModelServer%n",
        operatorCpu.toMillis(), (double) operatorCpu.toMillis() / count);
    long live = threadCpu.values().stream().mapToLong(Long::longValue).sum();
    threadCpu.merge("threads that ended", operatorCpu.toMillis() - live, Long::sum);
    threadCpu.forEach(
        (group, millis) ->
            System.out.printf(
                "  %-46s %6d ms, %.1f ms per ModelServer%n",
                group, millis, (double) millis / count));
    for (String counter : after.keySet()) {
      double delta = after.get(counter) - before.getOrDefault(counter, 0.0);
      System.out.printf("  %-46s %6.0f, %.2f per ModelServer%n", counter, delta, delta / count);
    }
  }

  /** CPU time of the mock's event-loop threads in this JVM, where every request is served. */
  private static long mockEventLoopCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("vert.x-eventloop")) {
        sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }

  /**
   * The operator's CPU time so far by kind of thread, from /proc (threads still alive only): JIT
   * compilers, garbage collection and other JVM threads, and the rest (reconciler, informers, HTTP
   * client).
   */
  private static Map<String, Long> threadCpuMillis(long pid) throws IOException {
    Map<String, Long> byGroup = new java.util.TreeMap<>();
    long ticksPerSecond = 100; // USER_HZ on Linux
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        String group =
            name.contains("CompilerThre")
                ? "JIT compiler threads"
                : name.startsWith("GC Thread")
                        || name.startsWith("G1 ")
                        || name.startsWith("VM Thread")
                        || name.startsWith("VM Periodic")
                    ? "GC and VM threads"
                    : "application threads";
        byGroup.merge(group, ticks * 1000 / ticksPerSecond, Long::sum);
      }
    }
    return byGroup;
  }

  private static Duration cpu(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(p -> p.info().totalCpuDuration())
        .orElseThrow(() -> new IllegalStateException("no CPU time for the operator process"));
  }

  /** JOSDK's and the reconciler's counters of reconciliations and events, summed over tags. */
  private static Map<String, Double> josdkCounters(int port) throws Exception {
    Map<String, Double> counters = new java.util.TreeMap<>();
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body()
        .lines()
        .filter(l -> !l.startsWith("#"))
        .filter(
            l ->
                l.startsWith("operator_sdk_reconciliations_started_total")
                    || l.startsWith("operator_sdk_events_received_total")
                    || l.startsWith("mlplatform_operator_reconciliations_total")
                    || l.startsWith("mlplatform_operator_status_updates_total"))
        .forEach(
            l -> {
              int brace = l.indexOf('{');
              String name = brace < 0 ? l.substring(0, l.indexOf(' ')) : l.substring(0, brace);
              String tags = brace < 0 ? "" : l.substring(brace, l.indexOf('}') + 1);
              String key =
                  name.startsWith("mlplatform") ? name + tags.replaceAll("[^{}=,\\w]", "") : name;
              counters.merge(
                  key, Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), Double::sum);
            });
    return counters;
  }

  private static boolean done(
      java.util.Set<String> names,
      Map<String, Map<String, Long>> childSeen,
      Map<String, Long> statusCaughtUp) {
    return names.stream()
        .allMatch(
            n -> childSeen.getOrDefault(n, Map.of()).size() == 5 && statusCaughtUp.containsKey(n));
  }

  private static String instance(HasMetadata r) {
    return r.getMetadata().getLabels().getOrDefault("app.kubernetes.io/instance", "?");
  }

  private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<HasMetadata> on) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        on.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        on.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }

  private static Process startOperator(Path jar, String master, int port) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                // as the image runs it (Dockerfile.operator)
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                System.getProperty("bench.operatorJvmArg", "-Dbench=true"),
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(Path.of("target", "bench-operator.log").toFile());
    Map<String, String> env = builder.environment();
    env.put("KUBERNETES_MASTER", master);
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("KUBERNETES_NAMESPACE", NAMESPACE);
    env.put("LEADER_ELECTION", "false");
    env.put("MANAGEMENT_PORT", String.valueOf(port));
    env.put("LOG_LEVEL", System.getProperty("bench.logLevel", "WARN"));
    return builder.start();
  }

  private static void awaitReady(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        var response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("operator not ready; see target/bench-operator.log");
  }

  private static double heapUsed(int port) throws Exception {
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static List<String> operatorMetrics(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body()
        .lines()
        .filter(l -> l.startsWith("mlplatform_operator_") && !l.contains(" 0.0"))
        .toList();
  }

  private static long rssKb(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .map(l -> l.replaceAll("\\D", ""))
        .mapToLong(Long::parseLong)
        .findFirst()
        .orElse(-1);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
