package dev.mlplatform.operator;

import dev.mlplatform.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: reads {@link OperatorConfig} from the environment, connects with the in-cluster (or
 * kubeconfig) credentials, serves the management port and reconciles until SIGTERM. Exit codes: 2
 * for an invalid setting, 1 when the operator cannot start (for instance the API server cannot be
 * reached, so the informers cannot list), 143 after SIGTERM.
 */
public final class OperatorMain {

  private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println("mlplatform operator; configured by environment variables:");
      OperatorConfig.OPTIONS.forEach(
          o ->
              System.out.printf(
                  "  %-28s default '%s'%n      %s%n", o.env(), o.defaultValue(), o.description()));
      return;
    }
    run(builder -> builder, () -> {});
  }

  /**
   * Runs the operator until SIGTERM, exiting as documented above. Its client is built by {@code
   * client} from the default builder (in-cluster or kubeconfig credentials); {@code afterStop} runs
   * once the operator has stopped. Tests run the operator in a JVM of its own through here with a
   * client that records its requests.
   */
  public static void run(UnaryOperator<KubernetesClientBuilder> client, Runnable afterStop)
      throws InterruptedException {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      log.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting with {}", config);
    KubernetesClient kubernetes = client.apply(new KubernetesClientBuilder()).build();
    OperatorRuntime runtime = new OperatorRuntime(kubernetes, config, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  try {
                    runtime.close();
                  } finally {
                    kubernetes.close();
                    afterStop.run();
                    stopped.countDown();
                  }
                },
                "shutdown"));
    try {
      runtime.start();
    } catch (RuntimeException e) {
      // Without this the JVM outlives the failed start (the management server's thread is not a
      // daemon): alive, never ready and never reconciling. Exiting lets Kubernetes restart it.
      log.error("cannot start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    log.info("operator started; management port {}", runtime.managementPort());
    stopped.await();
  }
}
