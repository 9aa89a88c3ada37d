package dev.mlplatform.operator.testing;

import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes v1.32.6 control plane on this machine: etcd and kube-apiserver started by
 * fabric8 kube-api-test, and kube-controller-manager beside them running the controllers the
 * operator's children rely on (garbage collector, Deployment, ReplicaSet, HorizontalPodAutoscaler,
 * namespace, service accounts). No scheduler or kubelet: pods stay Pending. Every component listens
 * on 127.0.0.1 only. The ModelServer CRD this build generated is installed and served before the
 * controller-manager starts, so its garbage collector knows ModelServer owners from its first
 * discovery.
 *
 * <p>kube-api-test 7.5.2 starts etcd with {@code --listen-client-urls http://0.0.0.0:PORT} (all
 * interfaces) and has no option to change it, so it is given a binaries folder of its own whose
 * {@code etcd} is a two-line wrapper that rewrites that address to 127.0.0.1 and refuses to start
 * if any 0.0.0.0 is left. The API server gets {@code --bind-address=127.0.0.1} and {@code
 * --endpoint-reconciler-type=none} (no {@code kubernetes} Endpoints advertising this host's
 * address); its service range 10.0.0.0/24 must be routed to a blackhole ({@code tools/setup.sh}
 * does it), which {@link #start} checks, because the API server dials a Service's cluster IP for an
 * aggregated API. Aggregator routing stays off: with it the API server dials endpoints instead,
 * which may not be loopback addresses, while an ExternalName Service naming {@code localhost} (how
 * the external-metrics tests reach the operator in the test JVM) works only without it.
 *
 * <p>Tests use it through {@link RealCluster}; the operator benchmark starts one of its own.
 */
public final class ControlPlane implements AutoCloseable {

  static final String VERSION = "1.32.6";
  static final List<String> BINARIES =
      List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl");
  static final String SERVICE_RANGE = "10.0.0.0/24";
  public static final String CRD_FILE = "modelservers.serving.mlplatform.dev-v1.yml";

  /** What the tests need; the others (nodes, volumes, jobs...) would only cost CPU. */
  private static final List<String> CONTROLLERS =
      List.of(
          "garbage-collector-controller",
          "namespace-controller",
          "deployment-controller",
          "replicaset-controller",
          "horizontal-pod-autoscaler-controller",
          "disruption-controller",
          // lifts a deleted claim's kubernetes.io/pvc-protection finalizer once no pod uses it
          "persistentvolumeclaim-protection-controller",
          "serviceaccount-controller",
          "serviceaccount-token-controller",
          "root-ca-certificate-publisher-controller");

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final KubeAPIServer apiServer;
  private final Process controllerManager;
  private final Path kubeconfig;
  private final String kubeconfigYaml;
  private final KubernetesClient admin;
  private final Duration startup;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ControlPlane(
      KubeAPIServer apiServer,
      Process controllerManager,
      Path kubeconfig,
      String kubeconfigYaml,
      KubernetesClient admin,
      Duration startup) {
    this.apiServer = apiServer;
    this.controllerManager = controllerManager;
    this.kubeconfig = kubeconfig;
    this.kubeconfigYaml = kubeconfigYaml;
    this.admin = admin;
    this.startup = startup;
  }

  /** The folder holding the binaries: kube-api-test's default, or $KUBE_API_TEST_DIR. */
  static Path binariesDir() {
    String base =
        Optional.ofNullable(System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_DIR))
            .orElse(
                Path.of(System.getProperty("user.home"), KubeAPIServerConfigBuilder.DIRECTORY_NAME)
                    .toString());
    return Path.of(base, "k8s", VERSION + "-" + platform());
  }

  private static String platform() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    return (os.contains("mac") ? "darwin" : "linux")
        + "-"
        + (arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "amd64");
  }

  /** Fails naming every missing binary and the command that installs them. */
  static void requireBinaries() {
    Path dir = binariesDir();
    List<String> missing =
        BINARIES.stream().filter(b -> !Files.isExecutable(dir.resolve(b))).toList();
    if (!missing.isEmpty()) {
      fail(
          "Kubernetes v%s binaries missing in %s: %s. Run `make test-deps` (tools/setup.sh installs"
              + " them), or set %s=kubernetes to leave these tests out",
          VERSION, dir, String.join(", ", missing), Tools.WITHOUT);
    }
  }

  /**
   * The API server's service range must go nowhere: it dials Service IPs for webhooks and
   * aggregated APIs, and without kube-proxy such packets would follow the default route out.
   */
  static void requireServiceRangeBlackholed() {
    String route = run(List.of("ip", "-o", "route", "show", SERVICE_RANGE));
    if (!route.matches("(?s)\\s*(blackhole|unreachable|prohibit)\\s+" + SERVICE_RANGE + ".*")) {
      fail(
          "kube-apiserver's service range %s is not routed to a blackhole (`ip route show %s`"
              + " says %s): run `make test-deps` (tools/setup.sh adds it), or set %s=kubernetes"
              + " to leave these tests out",
          SERVICE_RANGE, SERVICE_RANGE, route.isBlank() ? "nothing" : route.trim(), Tools.WITHOUT);
    }
  }

  /**
   * Fails if etcd, kube-apiserver or kube-controller-manager listens on anything but the loopback
   * interface (the bind flags are the only thing keeping them off the network). Reads /proc, so it
   * checks on Linux only.
   */
  static void requireLoopbackOnly() {
    Map<String, String> listening = new HashMap<>(); // socket inode -> local address
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try (Stream<String> lines = Files.lines(Path.of(table))) {
        lines
            .skip(1)
            .map(line -> line.trim().split("\\s+"))
            .filter(f -> f.length > 9 && f[3].equals("0A")) // TCP_LISTEN
            .forEach(f -> listening.put(f[9], f[1]));
      } catch (IOException e) {
        return; // not Linux
      }
    }
    String binaries = binariesDir().toString();
    List<String> exposed = new ArrayList<>();
    ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().filter(c -> c.startsWith(binaries)).isPresent())
        .forEach(
            p -> {
              try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
                fds.map(ControlPlane::socketInode)
                    .flatMap(Optional::stream)
                    .map(listening::get)
                    .filter(address -> address != null && !loopback(address))
                    .forEach(
                        address -> exposed.add(p.info().command().orElse("?") + " " + address));
              } catch (IOException | UncheckedIOException e) {
                // the process ended meanwhile
              }
            });
    if (!exposed.isEmpty()) {
      fail("control plane listens beyond 127.0.0.1 (/proc/net/tcp addresses): %s", exposed);
    }
  }

  private static Optional<String> socketInode(Path fd) {
    try {
      String target = Files.readSymbolicLink(fd).toString();
      return target.startsWith("socket:[")
          ? Optional.of(target.substring(8, target.length() - 1))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** 127.0.0.0/8, ::1 or ::ffff:127.x.x.x, as /proc/net/tcp(6) writes them (little-endian hex). */
  private static boolean loopback(String address) {
    String ip = address.substring(0, address.indexOf(':'));
    return ip.length() == 8
        ? ip.endsWith("7F")
        : ip.equals("00000000000000000000000001000000")
            || (ip.startsWith("0000000000000000FFFF0000") && ip.endsWith("7F"));
  }

  /** Starts everything in {@code workDir} (certificates, kubeconfig, controller-manager log). */
  public static ControlPlane start(Path workDir, Path crd) {
    requireBinaries();
    requireServiceRangeBlackholed();
    long t0 = System.nanoTime();
    Path testDir = prepareKubeApiTestDir(workDir.resolve("kube-api-test"));
    var config =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(testDir.toString())
            .withApiServerVersion(VERSION)
            .withOfflineMode(true)
            .withUpdateKubeConfig(false)
            .withStartupTimeout((int) START_TIMEOUT.toMillis())
            .withApiServerFlag("--bind-address=127.0.0.1")
            .withApiServerFlag("--endpoint-reconciler-type=none");
    // the aggregator's client certificate, for aggregated APIs such as the operator's external
    // metrics (kube-api-test sets no front-proxy flags)
    FrontProxyCertificates.write(workDir.resolve("front-proxy")).forEach(config::withApiServerFlag);
    KubeAPIServer apiServer = new KubeAPIServer(config.build());
    Process controllerManager = null;
    KubernetesClient admin = null;
    try {
      apiServer.start();
      long apiServerReady = System.nanoTime();
      String yaml = apiServer.getKubeConfigYaml();
      Path kubeconfig = workDir.resolve("kubeconfig");
      Files.writeString(kubeconfig, yaml);
      admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
      installCrd(admin, crd);
      long crdServed = System.nanoTime();
      controllerManager = startControllerManager(testDir, kubeconfig, workDir);
      KubernetesClient client = admin;
      Process process = controllerManager;
      // The service-account controller fills in "default" once the controller-manager runs with
      // its per-controller credentials, which proves the token path works as well.
      waitFor(
          "kube-controller-manager (log: " + workDir.resolve("kube-controller-manager.log") + ")",
          () -> {
            if (!process.isAlive()) {
              throw new IllegalStateException(
                  "kube-controller-manager exited with "
                      + process.exitValue()
                      + "; see "
                      + workDir.resolve("kube-controller-manager.log"));
            }
            return client.serviceAccounts().inNamespace("default").withName("default").get()
                != null;
          });
      requireLoopbackOnly();
      long done = System.nanoTime();
      log.info(
          "control plane ready in {} ms: kube-apiserver {} ms, CRD served {} ms, controller-manager"
              + " {} ms",
          ms(done - t0),
          ms(apiServerReady - t0),
          ms(crdServed - apiServerReady),
          ms(done - crdServed));
      return new ControlPlane(
          apiServer, controllerManager, kubeconfig, yaml, admin, Duration.ofNanos(done - t0));
    } catch (IOException e) {
      stopAfterFailedStart(apiServer, controllerManager, admin);
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      stopAfterFailedStart(apiServer, controllerManager, admin);
      throw e;
    }
  }

  private static void stopAfterFailedStart(
      KubeAPIServer apiServer, Process controllerManager, KubernetesClient admin) {
    if (admin != null) {
      admin.close();
    }
    stopProcess(controllerManager);
    apiServer.stop();
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /**
   * kube-api-test's folder: its certificates, and links to the real binaries, except etcd which
   * goes through the wrapper that keeps it on 127.0.0.1.
   */
  private static Path prepareKubeApiTestDir(Path testDir) {
    Path real = binariesDir();
    Path bin = testDir.resolve("k8s").resolve(real.getFileName());
    try {
      Files.createDirectories(bin);
      for (String name : List.of("kube-apiserver", "kubectl")) {
        Files.deleteIfExists(bin.resolve(name));
        Files.createSymbolicLink(bin.resolve(name), real.resolve(name));
      }
      Path etcd = bin.resolve("etcd");
      Files.deleteIfExists(etcd);
      Files.writeString(
          etcd,
          String.join(
              "\n",
              "#!/bin/sh",
              "# Written by ControlPlane.java: kube-api-test passes etcd --listen-client-urls",
              "# http://0.0.0.0:PORT; every test component listens on 127.0.0.1 only.",
              "n=$#",
              "while [ \"$n\" -gt 0 ]; do",
              "  case $1 in",
              "    http://0.0.0.0:*) a=\"http://127.0.0.1:${1#http://0.0.0.0:}\" ;;",
              "    *) a=$1 ;;",
              "  esac",
              "  shift; n=$((n - 1)); set -- \"$@\" \"$a\"",
              "done",
              "case \"$*\" in *0.0.0.0*) echo \"etcd wrapper: 0.0.0.0 left in $*\" >&2; exit 2;; esac",
              "exec '" + real.resolve("etcd") + "' \"$@\"",
              ""));
      Files.setPosixFilePermissions(etcd, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return testDir;
  }

  private static void installCrd(KubernetesClient client, Path crd) {
    try (InputStream in = Files.newInputStream(crd)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .create();
    } catch (IOException e) {
      throw new UncheckedIOException("generated CRD missing (run mvn process-classes): " + crd, e);
    }
    // Established is not enough: discovery (and so kubectl and the controllers) lags behind it.
    waitFor(
        "ModelServer in discovery",
        () -> {
          APIResourceList resources = client.getApiResources("serving.mlplatform.dev/v1alpha1");
          return resources != null
              && resources.getResources().stream()
                  .map(APIResource::getName)
                  .anyMatch("modelservers"::equals);
        });
  }

  private static Process startControllerManager(Path testDir, Path kubeconfig, Path workDir)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binariesDir().resolve("kube-controller-manager").toString());
    command.addAll(
        List.of(
            "--kubeconfig=" + kubeconfig,
            "--use-service-account-credentials=true",
            // kube-api-test signs service-account tokens with the API server's key, and its
            // self-signed serving certificate is the CA pods would trust.
            "--service-account-private-key-file=" + testDir.resolve("apiserver.key"),
            "--root-ca-file=" + testDir.resolve("apiserver.crt"),
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            "--secure-port=0",
            "--controllers=" + String.join(",", CONTROLLERS),
            // every HPA is synced once per period: 15 s by default, too slow for a test
            "--horizontal-pod-autoscaler-sync-period=2s"));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("kube-controller-manager.log").toFile())
        .start();
  }

  private static void waitFor(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (IllegalStateException e) {
        throw e;
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(what + " not ready within " + START_TIMEOUT, last);
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void stopProcess(Process process) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** An admin (system:masters) client; closed with the control plane. */
  public KubernetesClient admin() {
    return admin;
  }

  /** A new admin client, e.g. for the operator, which must not share the tests' client. */
  KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml)).build();
  }

  /** A new admin client whose requests carry {@code userAgent}, which names its field manager. */
  KubernetesClient newClient(String userAgent) {
    Config config = Config.fromKubeconfig(kubeconfigYaml);
    config.setUserAgent(userAgent);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A kubeconfig file for kubectl, with the admin's client certificate. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** CPU time so far of each control-plane process (etcd, kube-apiserver, ...) by binary name. */
  public Map<String, Duration> cpuTimes() {
    String binaries = binariesDir().toString();
    Map<String, Duration> times = new java.util.TreeMap<>();
    ProcessHandle.current()
        .descendants()
        .forEach(
            p ->
                p.info()
                    .command()
                    .filter(c -> c.startsWith(binaries))
                    .ifPresent(
                        c ->
                            times.merge(
                                Path.of(c).getFileName().toString(),
                                p.info().totalCpuDuration().orElse(Duration.ZERO),
                                Duration::plus)));
    return times;
  }

  /** How long {@link #start} took. */
  Duration startup() {
    return startup;
  }

  /**
   * Stops the controller-manager, then the API server and etcd (kube-api-test deletes etcd's data).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long t0 = System.nanoTime();
    admin.close();
    stopProcess(controllerManager);
    apiServer.stop();
    log.info("control plane stopped in {} ms", ms(System.nanoTime() - t0));
  }
}
