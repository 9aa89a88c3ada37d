package dev.mlplatform.operator;

import dev.mlplatform.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: reads {@link OperatorConfig} from the environment, connects with the in-cluster (or
 * kubeconfig) credentials, serves the management port and reconciles until SIGTERM.
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
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      log.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting with {}", config);
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorRuntime runtime = new OperatorRuntime(client, config, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  try {
                    runtime.close();
                  } finally {
                    client.close();
                    stopped.countDown();
                  }
                },
                "shutdown"));
    runtime.start();
    log.info("operator started; management port {}", runtime.managementPort());
    stopped.await();
  }
}
