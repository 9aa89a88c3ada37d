package dev.mlplatform.operator.bench;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.testing.ApiCalls;
import dev.mlplatform.operator.testing.ControlPlane;
import dev.mlplatform.operator.testing.MockCluster;
import dev.mlplatform.operator.testing.OperatorAccount;
import dev.mlplatform.operator.testing.RecordingOperator;
import dev.mlplatform.operator.testing.RequestStats;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code make bench-operator}: the operator in a JVM of its own (the shaded jar's code, its
 * client's requests counted by {@link RecordingOperator}), by default against a real
 * kube-apiserver, etcd and kube-controller-manager that the benchmark starts and stops itself
 * ({@link ControlPlane}), with the token of its ServiceAccount bound to the RBAC of k8s/base;
 * {@code -Dbench.target=mock} runs it against the CRUD mock instead. Two bursts of 200 ModelServers
 * created at once, the second (after the first is deleted) against the warm operator, each followed
 * by an idle minute. Reports per burst the time from the last create until every ModelServer has
 * its five children and a status at its generation, the API requests per ModelServer, the writes
 * while idle, the operator's CPU time and its live heap after a full GC. Not a test: figures depend
 * on the machine.
 *
 * <p>Run: {@code make bench-operator} ({@code BENCH_TARGET=mock}, {@code BENCH_COUNT}, {@code
 * BENCH_BURSTS}, {@code BENCH_IDLE_SECONDS}, {@code BENCH_OPERATOR_JVM_ARGS}).
 */
public final class OperatorBench {

  private static final String NAMESPACE = "bench";
  private static final String OPERATOR_NAMESPACE = "mlplatform-system";
  private static final String LEASES = "coordination.k8s.io/leases";

  /** Held here: JUL keeps loggers weakly, and a collected one forgets its level. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  private OperatorBench() {}

  /** Where the operator's API server comes from. */
  private interface Target extends AutoCloseable {
    /** The benchmark's own client. */
    KubernetesClient client();

    /** The operator's credentials. */
    Path kubeconfig();

    void beforeBurst();

    void printAfterBurst(int count, long wallNanos);

    @Override
    void close();
  }

  public static void main(String[] args) throws Exception {
    String target = System.getProperty("bench.target", "real");
    int count = Integer.getInteger("bench.count", 200);
    int bursts = Integer.getInteger("bench.bursts", 2);
    Duration idle = Duration.ofSeconds(Long.getLong("bench.idleSeconds", 60));
    List<String> jvmArgs =
        Arrays.stream(System.getProperty("bench.operatorJvmArgs", "").split("\\s+"))
            .filter(a -> !a.isBlank())
            .toList();
    Path dir = Files.createDirectories(Path.of("target", "bench-operator"));
    System.out.printf(
        "target %s, %d bursts of %d ModelServers, idle %d s after each, operator JVM args %s,"
            + " %d CPUs, load average %s%n",
        target,
        bursts,
        count,
        idle.toSeconds(),
        jvmArgs,
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    try (Target cluster = target.equals("mock") ? MockTarget.start(dir) : RealTarget.start(dir)) {
      List<String> operatorJvm = new ArrayList<>(List.of("-Xmx256m"));
      operatorJvm.addAll(jvmArgs);
      try (RecordingOperator operator =
          RecordingOperator.start(
              "bench-operator",
              cluster.kubeconfig(),
              Map.of(
                  "LEADER_ELECTION",
                  "false",
                  "DEFAULT_SERVER_IMAGE",
                  TestModelServers.DEFAULT_IMAGE,
                  "LOG_LEVEL",
                  System.getProperty("bench.logLevel", "WARN")),
              dir,
              operatorJvm)) {
        awaitReady(operator);
        Tracker tracker = new Tracker(cluster.client());
        for (int burst = 0; burst < bursts; burst++) {
          if (burst > 0) {
            deletePreviousBurst(cluster, operator, count);
          }
          System.out.printf("%n=== burst %d: %d ModelServers ===%n", burst + 1, count);
          burst(cluster, operator, tracker, burst * count, count);
          settle(operator, count);
          printEvents(cluster.client());
          idle(operator, idle);
          double heap = heapAfterGc(operator);
          System.out.printf(
              "operator live heap after GC:     %.1f MB (%d ModelServers cached)%n",
              heap / 1024 / 1024, count);
          System.out.printf(
              "operator RSS:                    %.1f MB%n",
              rssKb(operator.process().pid()) / 1024.0);
          System.out.printf(
              "operator metric series:          %d, %d naming bench-000 (created in burst 1)%n",
              operator.metrics("").size(),
              operator.metrics("").keySet().stream()
                  .filter(series -> series.contains("\"bench-000\""))
                  .count());
        }
        Map<String, Long> left = new TreeMap<>();
        operator.metrics("").keySet().stream()
            .filter(series -> series.contains("\"bench-000\""))
            .forEach(series -> left.merge(series.replaceAll("\\{.*", ""), 1L, Long::sum));
        System.out.printf("%nmetric series naming bench-000 (deleted after burst 1): %s%n", left);
        System.out.printf("load average at the end: %s%n", loadAverage());
        tracker.close();
      }
    }
    System.exit(0);
  }

  /** The real control plane, the operator's namespace and ServiceAccount with k8s/base's RBAC. */
  private static final class RealTarget implements Target {
    private final ControlPlane plane;
    private final OperatorAccount account;
    private final Path kubeconfig;
    private Map<String, Duration> cpuBefore;

    private RealTarget(ControlPlane plane, OperatorAccount account, Path kubeconfig) {
      this.plane = plane;
      this.account = account;
      this.kubeconfig = kubeconfig;
    }

    static RealTarget start(Path dir) {
      Path crd = Path.of("target", "crds", ControlPlane.CRD_FILE);
      if (!Files.exists(crd)) {
        crd = Path.of("..", "crds", ControlPlane.CRD_FILE);
      }
      ControlPlane plane = ControlPlane.start(dir.resolve("real-cluster"), crd);
      try {
        for (String ns : List.of(NAMESPACE, OPERATOR_NAMESPACE)) {
          plane
              .admin()
              .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
              .create();
        }
        OperatorAccount account = OperatorAccount.install(plane.admin(), OPERATOR_NAMESPACE, null);
        return new RealTarget(
            plane, account, account.kubeconfig(dir.resolve("operator.kubeconfig")));
      } catch (RuntimeException e) {
        plane.close();
        throw e;
      }
    }

    @Override
    public KubernetesClient client() {
      return plane.admin();
    }

    @Override
    public Path kubeconfig() {
      return kubeconfig;
    }

    @Override
    public void beforeBurst() {
      cpuBefore = plane.cpuTimes();
    }

    @Override
    public void printAfterBurst(int count, long wallNanos) {
      Map<String, Duration> after = plane.cpuTimes();
      after.forEach(
          (name, cpu) -> {
            long ms = cpu.minus(cpuBefore.getOrDefault(name, Duration.ZERO)).toMillis();
            System.out.printf(
                "  %-46s %6d ms, %.1f ms per ModelServer%n",
                name + " CPU", ms, (double) ms / count);
          });
    }

    @Override
    public void close() {
      try {
        account.close();
      } finally {
        plane.close();
      }
    }
  }

  /** The CRUD mock with the test apply handler; its service time by request. */
  private static final class MockTarget implements Target {
    private final MockCluster cluster;
    private final Path kubeconfig;
    private RequestStats requests;
    private long mockCpuBefore;

    private MockTarget(MockCluster cluster, Path kubeconfig) {
      this.cluster = cluster;
      this.kubeconfig = kubeconfig;
    }

    static MockTarget start(Path dir) throws IOException {
      if (!Boolean.getBoolean("bench.mockLog")) {
        // The mock logs every request at INFO on its one event-loop thread; the tests keep it.
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
      }
      MockCluster cluster = MockCluster.start();
      Path kubeconfig = dir.resolve("mock.kubeconfig");
      Files.writeString(
          kubeconfig,
          Serialization.asYaml(
              Map.of(
                  "apiVersion",
                  "v1",
                  "kind",
                  "Config",
                  "clusters",
                  List.of(Map.of("name", "mock", "cluster", Map.of("server", cluster.url()))),
                  "users",
                  List.of(Map.of("name", "mock", "user", Map.of())),
                  "contexts",
                  List.of(
                      Map.of(
                          "name",
                          "mock",
                          "context",
                          Map.of("cluster", "mock", "user", "mock", "namespace", NAMESPACE))),
                  "current-context",
                  "mock")));
      return new MockTarget(cluster, kubeconfig);
    }

    @Override
    public KubernetesClient client() {
      return cluster.client();
    }

    @Override
    public Path kubeconfig() {
      return kubeconfig;
    }

    @Override
    public void beforeBurst() {
      requests = new RequestStats();
      mockCpuBefore = mockEventLoopCpuNanos();
      cluster.dispatcher().recordInto(requests);
    }

    @Override
    public void printAfterBurst(int count, long wallNanos) {
      cluster.dispatcher().recordInto(null);
      long mockCpu = mockEventLoopCpuNanos() - mockCpuBefore;
      List<RequestStats.Line> lines = requests.lines();
      long busy = lines.stream().mapToLong(RequestStats.Line::totalNanos).sum();
      System.out.printf(
          "  mock busy (sum of service times) %d ms = %.0f%% of wall; event-loop CPU %d ms%n",
          ms(busy), 100.0 * busy / wallNanos, ms(mockCpu));
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

    @Override
    public void close() {
      cluster.close();
    }
  }

  /** The benchmark's own informers: when each ModelServer's children and status arrived. */
  private static final class Tracker {
    final Map<String, Long> created = new ConcurrentHashMap<>();
    final Map<String, Map<String, Long>> childSeen = new ConcurrentHashMap<>();
    final Map<String, Long> statusCaughtUp = new ConcurrentHashMap<>();
    final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    Tracker(KubernetesClient client) {
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
    }

    boolean done(Set<String> names) {
      return names.stream()
          .allMatch(
              n ->
                  childSeen.getOrDefault(n, Map.of()).size() == 5 && statusCaughtUp.containsKey(n));
    }

    /** When the last of {@code names}' children or statuses arrived. */
    long end(Set<String> names, long fallback) {
      return names.stream()
          .flatMap(
              n ->
                  Stream.concat(
                      childSeen.getOrDefault(n, Map.of()).values().stream(),
                      Stream.ofNullable(statusCaughtUp.get(n))))
          .max(Long::compare)
          .orElse(fallback);
    }

    void close() {
      informers.forEach(SharedIndexInformer::close);
    }
  }

  private static void burst(
      Target cluster, RecordingOperator operator, Tracker tracker, int from, int count)
      throws Exception {
    KubernetesClient client = cluster.client();
    long pid = operator.process().pid();
    ApiCalls.Report callsBefore = operator.calls();
    Map<String, Double> countersBefore = counters(operator);
    Duration cpuBefore = cpu(pid);
    Map<String, Long> threadCpuBefore = threadCpuMillis(pid);
    Duration benchCpuBefore = cpu(ProcessHandle.current().pid());
    long threadsBefore = threadsStarted(pid);
    cluster.beforeBurst();

    Map<String, Long> created = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long start = System.nanoTime();
    for (int i = from; i < from + count; i++) {
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
    tracker.created.putAll(created);

    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!tracker.done(created.keySet()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    boolean complete = tracker.done(created.keySet());
    long end = tracker.end(created.keySet(), lastCreate);
    long finished = System.nanoTime();

    Duration operatorCpu = cpu(pid).minus(cpuBefore);
    Map<String, Long> threadCpu = threadCpuMillis(pid);
    threadCpuBefore.forEach((k, v) -> threadCpu.merge(k, -v, Long::sum));
    Duration benchCpu = cpu(ProcessHandle.current().pid()).minus(benchCpuBefore);
    ApiCalls.Report calls = operator.calls();
    Map<String, Double> counters = counters(operator);
    long threads = threadsStarted(pid) - threadsBefore;
    List<Long> latencies = new ArrayList<>();
    for (String name : created.keySet()) {
      latencies.add(tracker.end(Set.of(name), end) - created.get(name));
    }
    Collections.sort(latencies);
    long children =
        created.keySet().stream()
            .mapToLong(n -> tracker.childSeen.getOrDefault(n, Map.of()).size())
            .sum();
    long statuses = created.keySet().stream().filter(tracker.statusCaughtUp::containsKey).count();

    System.out.printf(
        "ModelServers created:            %d in %d ms%n", count, ms(lastCreate - start));
    System.out.printf("children present:                %d of %d%n", children, count * 5L);
    System.out.printf("statuses at their generation:    %d of %d%n", statuses, count);
    System.out.printf(
        "last create -> all done:         %d ms%s%n",
        ms(end - lastCreate), complete ? "" : " (INCOMPLETE after 5 min)");
    System.out.printf(
        "per-CR latency median / p95:     %d / %d ms%n",
        ms(latencies.get(latencies.size() / 2)), ms(latencies.get(latencies.size() * 95 / 100)));
    System.out.printf("first create -> all done (wall): %d ms%n", ms(finished - start));
    printCalls("operator API requests to done", callsBefore, calls, count);
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
    System.out.printf("operator threads started:        %d%n", threads);
    System.out.printf(
        "benchmark JVM CPU (its informers, the creates%s): %d ms%n",
        cluster instanceof MockTarget ? ", the mock" : "", benchCpu.toMillis());
    cluster.printAfterBurst(count, finished - start);
    for (String counter : counters.keySet()) {
      double delta = counters.get(counter) - countersBefore.getOrDefault(counter, 0.0);
      if (delta != 0) {
        System.out.printf("  %-46s %6.0f, %.2f per ModelServer%n", counter, delta, delta / count);
      }
    }
  }

  /** The requests of the operator's client between two reports, by verb and resource. */
  private static void printCalls(
      String title, ApiCalls.Report before, ApiCalls.Report after, int count) {
    Map<ApiCalls.Call, Long> delta = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    after.sent().forEach((call, n) -> delta.put(call, n - before.sent().getOrDefault(call, 0L)));
    delta.values().removeIf(n -> n == 0);
    long total = delta.values().stream().mapToLong(Long::longValue).sum();
    long writes =
        delta.entrySet().stream()
            .filter(e -> e.getKey().writes())
            .mapToLong(Map.Entry::getValue)
            .sum();
    System.out.printf(
        "%-32s %d, %.2f per ModelServer; writes %d, %.2f per ModelServer%n",
        title + ":", total, (double) total / count, writes, (double) writes / count);
    delta.forEach(
        (call, n) ->
            System.out.printf("  %-46s %6d, %.2f per ModelServer%n", call, n, (double) n / count));
  }

  /**
   * The ModelServers of the previous burst go before the next one: kube-api-test gives the API
   * server the service range 10.0.0.0/24, so at most about 250 Services fit (a third hundred fails
   * with "failed to allocate a serviceIP: range is full"). The garbage collector removes their
   * children; the operator has no finalizer and should write nothing meanwhile.
   */
  private static void deletePreviousBurst(Target cluster, RecordingOperator operator, int count)
      throws Exception {
    KubernetesClient client = cluster.client();
    ApiCalls.Report before = operator.calls();
    long start = System.nanoTime();
    client.resources(ModelServer.class).inNamespace(NAMESPACE).delete();
    if (cluster instanceof MockTarget) {
      // no garbage collector in the mock
      client.configMaps().inNamespace(NAMESPACE).delete();
      client.apps().deployments().inNamespace(NAMESPACE).delete();
      client.services().inNamespace(NAMESPACE).delete();
      client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NAMESPACE).delete();
      client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).delete();
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline
        && !(client.resources(ModelServer.class).inNamespace(NAMESPACE).list().getItems().isEmpty()
            && client.services().inNamespace(NAMESPACE).list().getItems().isEmpty()
            && client.apps().deployments().inNamespace(NAMESPACE).list().getItems().isEmpty())) {
      Thread.sleep(500);
    }
    long gone = System.nanoTime();
    settleQuietly(operator);
    System.out.printf(
        "%nprevious burst deleted: ModelServers, Services and Deployments gone after %d ms%n",
        ms(gone - start));
    printCalls("  operator requests meanwhile", before, operator.calls(), count);
  }

  /** Waits until the operator has written nothing for 5 s (at most 3 min); returns when it was. */
  private static long settleQuietly(RecordingOperator operator) throws Exception {
    long start = System.nanoTime();
    long quietSince = start;
    long lastWrites = writesBesidesLease(operator.calls());
    while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(5)
        && System.nanoTime() - start < TimeUnit.MINUTES.toNanos(3)) {
      Thread.sleep(250);
      long writes = writesBesidesLease(operator.calls());
      if (writes != lastWrites) {
        lastWrites = writes;
        quietSince = System.nanoTime();
      }
    }
    return quietSince;
  }

  /**
   * After "done" the controllers still report on the new objects for a while (the HPA controller's
   * first syncs, the Deployment controller's progress), and the operator carries what changed into
   * the status. Waits until the operator has written nothing for 5 s (at most 3 min) and reports
   * those late writes, so that the idle minute starts from a settled cluster.
   */
  private static void settle(RecordingOperator operator, int count) throws Exception {
    ApiCalls.Report before = operator.calls();
    long start = System.nanoTime();
    long quietSince = settleQuietly(operator);
    System.out.printf("settled (5 s without a write) %d ms after done:%n", ms(quietSince - start));
    printCalls("  late requests", before, operator.calls(), count);
  }

  private static long writesBesidesLease(ApiCalls.Report report) {
    return report.sent().entrySet().stream()
        .filter(e -> e.getKey().writes() && !e.getKey().resource().equals(LEASES))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** The operator's Events in the namespace by type and reason, with their counts summed. */
  private static void printEvents(KubernetesClient client) {
    Map<String, long[]> byReason = new TreeMap<>();
    client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> "mlplatform-operator".equals(e.getReportingComponent()))
        .forEach(
            e -> {
              long[] n =
                  byReason.computeIfAbsent(e.getType() + " " + e.getReason(), k -> new long[2]);
              n[0]++;
              n[1] += e.getCount() == null ? 1 : e.getCount();
            });
    System.out.print("operator Events (objects/count): ");
    byReason.forEach((reason, n) -> System.out.printf("%s %d/%d; ", reason, n[0], n[1]));
    System.out.println();
  }

  /** A minute (bench.idleSeconds) of nothing: what the operator writes and spends meanwhile. */
  private static void idle(RecordingOperator operator, Duration idle) throws Exception {
    if (idle.isZero()) {
      return;
    }
    ApiCalls.Report before = operator.calls();
    Map<String, Double> countersBefore = counters(operator);
    Duration cpuBefore = cpu(operator.process().pid());
    Thread.sleep(idle.toMillis());
    ApiCalls.Report after = operator.calls();
    Duration cpu = cpu(operator.process().pid()).minus(cpuBefore);
    Map<String, Double> counters = counters(operator);
    long writes = 0;
    long requests = 0;
    List<String> written = new ArrayList<>();
    for (var e : after.sent().entrySet()) {
      long n = e.getValue() - before.sent().getOrDefault(e.getKey(), 0L);
      requests += n;
      if (n > 0 && e.getKey().writes() && !e.getKey().resource().equals(LEASES)) {
        writes += n;
        written.add(e.getKey() + " x" + n);
      }
    }
    double reconciliations =
        counters.getOrDefault("operator_sdk_reconciliations_started_total", 0.0)
            - countersBefore.getOrDefault("operator_sdk_reconciliations_started_total", 0.0);
    System.out.printf(
        "idle %d s after convergence:     %d writes%s (target 0), %d requests, %.0f"
            + " reconciliations, operator CPU %d ms%n",
        idle.toSeconds(),
        writes,
        written.isEmpty() ? "" : " " + written,
        requests,
        reconciliations,
        cpu.toMillis());
  }

  /**
   * The operator's CPU time so far by kind of thread, from /proc (threads still alive only): JIT
   * compilers, garbage collection and other JVM threads, and the rest (reconciler, informers, HTTP
   * client).
   */
  private static Map<String, Long> threadCpuMillis(long pid) throws IOException {
    Map<String, Long> byGroup = new TreeMap<>();
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

  /** The JVM's count of threads started so far (its perf counter java.threads.started). */
  private static long threadsStarted(long pid) throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid),
                "PerfCounter.print")
            .redirectErrorStream(true)
            .start();
    String text = new String(jcmd.getInputStream().readAllBytes());
    jcmd.waitFor();
    return text.lines()
        .filter(l -> l.startsWith("java.threads.started="))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf('=') + 1).trim()))
        .findFirst()
        .orElse(-1);
  }

  private static Duration cpu(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(p -> p.info().totalCpuDuration())
        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid));
  }

  /** JOSDK's and the reconciler's counters, and the JVM's thread starts, summed over tags. */
  private static Map<String, Double> counters(RecordingOperator operator) {
    Map<String, Double> counters = new TreeMap<>();
    for (String prefix :
        List.of(
            "operator_sdk_reconciliations_started_total",
            "operator_sdk_events_received_total",
            "mlplatform_operator_reconciliations_total",
            "mlplatform_operator_status_updates_total",
            "jvm_threads_started_total")) {
      operator
          .metrics(prefix)
          .forEach(
              (series, value) -> {
                int brace = series.indexOf('{');
                String name = brace < 0 ? series : series.substring(0, brace);
                String tags =
                    brace < 0 || !name.startsWith("mlplatform")
                        ? ""
                        : series.substring(brace).replaceAll("[^{}=,\\w]", "");
                counters.merge(name + tags, value, Double::sum);
              });
    }
    return counters;
  }

  private static double heapAfterGc(RecordingOperator operator) throws Exception {
    new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            String.valueOf(operator.process().pid()),
            "GC.run")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor();
    Thread.sleep(500);
    if (Boolean.getBoolean("bench.histogram")) {
      Process histogram =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  String.valueOf(operator.process().pid()),
                  "GC.class_histogram")
              .redirectErrorStream(true)
              .start();
      String text = new String(histogram.getInputStream().readAllBytes());
      histogram.waitFor();
      text.lines().limit(28).forEach(l -> System.out.println("  " + l));
    }
    return operator.metrics("jvm_memory_used_bytes{").entrySet().stream()
        .filter(e -> e.getKey().contains("area=\"heap\""))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  private static void awaitReady(RecordingOperator operator) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!operator.alive()) {
        throw new IllegalStateException(
            "operator exited: " + operator.logTail(20) + "; see " + operator.log());
      }
      if (!operator.metrics("jvm_memory_used_bytes").isEmpty()
          && operator.calls().sent().keySet().stream().anyMatch(c -> c.verb().equals("watch"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("operator not ready; see " + operator.log());
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

  private static long rssKb(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .map(l -> l.replaceAll("\\D", ""))
        .mapToLong(Long::parseLong)
        .findFirst()
        .orElse(-1);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
