package dev.mlplatform.operator.testing;

import static org.assertj.core.api.Assertions.fail;

import dev.mlplatform.operator.ModelServerOperator;
import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension for the tests that need Kubernetes' own semantics (schema validation, CEL,
 * defaulting, server-side apply field managers, garbage collection, status subresource, Pod
 * Security admission): a real kube-apiserver, etcd and kube-controller-manager ({@link
 * ControlPlane}), started once per test JVM (failsafe runs every *IT of the module in one JVM) and
 * stopped when JUnit closes its root store or the JVM exits. Each test gets a fresh namespace,
 * deleted after it; each test class may run the operator, built as production builds it ({@link
 * ModelServerOperator#create}).
 *
 * <pre>{@code
 * @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();
 * }</pre>
 *
 * <p>Missing binaries or a missing blackhole route for the API server's service range fail the test
 * naming what is missing and {@code make test-deps}; {@code MLPLATFORM_WITHOUT=kubernetes} skips
 * these tests instead.
 */
public final class RealCluster
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  public static final String GROUP = "kubernetes";

  private static final Logger log = LoggerFactory.getLogger(RealCluster.class);
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(RealCluster.class);
  private static final AtomicInteger namespaces = new AtomicInteger();

  private final boolean runOperator;
  private ControlPlane plane;
  private KubernetesClient operatorClient;
  private ModelServerOperator operator;
  private SimpleMeterRegistry registry;
  private String namespace;
  private long classStarted;

  private RealCluster(boolean runOperator) {
    this.runOperator = runOperator;
  }

  /** The API server and controllers only. */
  public static RealCluster apiServerOnly() {
    return new RealCluster(false);
  }

  /** The API server and controllers, with the operator running for the whole test class. */
  public static RealCluster withOperator() {
    return new RealCluster(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Tools.skipIfOff(GROUP);
    plane =
        context
            .getRoot()
            .getStore(STORE)
            .getOrComputeIfAbsent(ControlPlane.class, k -> startPlane(), ControlPlane.class);
    classStarted = System.nanoTime();
    if (runOperator) {
      long t0 = System.nanoTime();
      registry = new SimpleMeterRegistry();
      operatorClient = plane.newClient();
      OperatorConfig config =
          OperatorConfig.fromEnv(
              Map.of(
                  "LEADER_ELECTION", "false",
                  "DEFAULT_SERVER_IMAGE", TestModelServers.DEFAULT_IMAGE,
                  "RECONCILE_THREADS", "4",
                  "METRICS_RETENTION_AFTER_DELETE", "2s"));
      operator = ModelServerOperator.create(operatorClient, config, registry, Clock.systemUTC());
      operator.start();
      log.info(
          "operator started in {} ms for {}",
          ms(System.nanoTime() - t0),
          context.getRequiredTestClass().getSimpleName());
    }
  }

  private static ControlPlane startPlane() {
    ControlPlane plane = ControlPlane.start(workDir(), crd());
    Runtime.getRuntime().addShutdownHook(new Thread(plane::close, "real-cluster-stop"));
    return plane;
  }

  private static Path workDir() {
    try {
      String dir = System.getProperty("real.cluster.dir");
      if (dir == null) {
        return Files.createTempDirectory("real-cluster");
      }
      return Files.createDirectories(Path.of(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CRD this build generated, else the committed copy. */
  private static Path crd() {
    Path generated =
        Path.of(System.getProperty("crd.generated.dir", "target/crds"))
            .resolve(ControlPlane.CRD_FILE);
    if (Files.exists(generated)) {
      return generated;
    }
    Path committed =
        Path.of(System.getProperty("repo.root", ".."), "crds").resolve(ControlPlane.CRD_FILE);
    if (!Files.exists(committed)) {
      fail("no ModelServer CRD at %s or %s", generated, committed);
    }
    return committed;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (plane == null) {
      return; // skipped, or the control plane did not start
    }
    if (operator != null) {
      long t0 = System.nanoTime();
      operator.stop();
      operator = null;
      log.info("operator stopped in {} ms", ms(System.nanoTime() - t0));
    }
    if (operatorClient != null) {
      operatorClient.close();
      operatorClient = null;
    }
    log.info(
        "{} took {} ms on the real cluster (its operator's start and stop included)",
        context.getRequiredTestClass().getSimpleName(),
        ms(System.nanoTime() - classStarted));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    String method = context.getRequiredTestMethod().getName();
    String base = method.replace('_', '-').toLowerCase();
    base = base.length() > 50 ? base.substring(0, 50) : base;
    namespace = base.replaceAll("-+$", "") + "-" + namespaces.incrementAndGet();
    plane
        .admin()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    // The ModelServers go first, while this class's operator still runs (it has no finalizer, so
    // that is immediate): the next class's operator must not find them in a namespace that is
    // being terminated. The namespace controller deletes the rest in the background.
    if (namespace != null) {
      plane.admin().resources(ModelServer.class).inNamespace(namespace).delete();
      plane.admin().namespaces().withName(namespace).delete();
      namespace = null;
    }
  }

  /** An admin client shared by the tests. */
  public KubernetesClient client() {
    return plane.admin();
  }

  /** A new admin client whose user agent, and so default field manager, is {@code userAgent}. */
  public KubernetesClient newClient(String userAgent) {
    return plane.newClient(userAgent);
  }

  /** The current test's own namespace. */
  public String namespace() {
    return namespace;
  }

  /** The operator's metrics (only with {@link #withOperator()}). */
  public SimpleMeterRegistry registry() {
    if (registry == null) {
      throw new IllegalStateException("no operator: use RealCluster.withOperator()");
    }
    return registry;
  }

  /** A kubeconfig file for the cluster's admin. */
  public Path kubeconfig() {
    return plane.kubeconfig();
  }

  /**
   * Runs the kubectl on PATH against this cluster and returns its standard output; fails with its
   * standard error when it exits non-zero.
   */
  public String kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Tools.require("kubectl", GROUP).toString());
    command.add("--kubeconfig=" + plane.kubeconfig());
    command.addAll(List.of(args));
    try {
      Path err = Files.createTempFile("kubectl", ".err");
      try {
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          fail("%s did not finish within 60 s", command);
        }
        if (process.exitValue() != 0) {
          fail("%s exited with %d: %s", command, process.exitValue(), Files.readString(err));
        }
        return out;
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
