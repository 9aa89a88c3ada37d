package dev.mlplatform.server;

import dev.mlplatform.contract.ExitCodes;
import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.contract.ServerEnv;
import dev.mlplatform.server.config.ConfigCheck;
import dev.mlplatform.server.config.ConfigException;
import dev.mlplatform.server.config.ConfigLoader;
import dev.mlplatform.server.config.LogFormat;
import dev.mlplatform.server.config.ServerConfig;
import dev.mlplatform.server.embedding.ModelRuntime;
import dev.mlplatform.server.fetch.FetchReport;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.inference.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Entry point: configuration from the environment, then the server, then wait for SIGTERM. With the
 * argument {@code fetch} it only puts the configured model into the cache and exits (what the
 * operator's init container runs, so the serving container starts on a complete model).
 */
public final class Main {
  /** Exit status when a setting is invalid. */
  public static final int EXIT_INVALID_CONFIG = ExitCodes.INVALID_CONFIG;

  /** Exit status when the model cannot be found, fetched, unpacked or loaded. */
  public static final int EXIT_MODEL_LOAD_FAILED = ExitCodes.MODEL_LOAD_FAILED;

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals(ModelUris.CHECK_CONFIG_COMMAND)) {
      System.exit(ConfigCheck.run(System.in, System.out));
      return;
    }
    ServerConfig config;
    try {
      config = new ConfigLoader(System.getenv()).load();
    } catch (ConfigException e) {
      System.err.println("invalid configuration: " + e.getMessage());
      terminationMessage("invalid configuration: " + e.getMessage());
      System.exit(EXIT_INVALID_CONFIG);
      return;
    }
    // DJL must never reach for the network (model zoo, telemetry) nor start libtorch beside ORT;
    // set here so a plain `java -jar` behaves like the container
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("OPT_OUT_TRACKING", System.getProperty("OPT_OUT_TRACKING", "true"));
    System.setProperty(
        "ai.djl.onnx.disable_alternative",
        System.getProperty("ai.djl.onnx.disable_alternative", "true"));
    // chosen before the first logger exists, so logback reads the right file
    System.setProperty(
        "logback.configurationFile",
        config.logFormat() == LogFormat.JSON ? "logback-json.xml" : "logback.xml");
    Logger log = LoggerFactory.getLogger(Main.class);
    if (args.length > 0 && args[0].equals(ModelUris.FETCH_COMMAND)) {
      System.exit(fetch(config, log));
      return;
    }
    String version = version();

    ModelServer server;
    try {
      server = new ModelServer(config, EngineRegistry.standard(), version);
    } catch (RuntimeException e) {
      log.error("cannot start the listeners: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    // A signal handler instead of a shutdown hook: the drain needs a live JVM, and the process
    // should exit 0 after a clean drain rather than 143.
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (stopping.compareAndSet(false, true)) { // later signals must not cut the drain short
            Thread shutdown =
                new Thread(
                    () -> {
                      int status = 1;
                      try {
                        server.shutdown();
                        status = 0;
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      } catch (RuntimeException | Error e) {
                        log.error("shutdown failed", e);
                      } finally {
                        System.exit(status);
                      }
                    },
                    "shutdown");
            // signal threads are daemons: without this the JVM would exit as soon as the
            // listeners close, before the model is released and the drain is logged
            shutdown.setDaemon(false);
            shutdown.start();
          }
        };
    Signal.handle(new Signal("TERM"), s -> stop.run());
    Signal.handle(new Signal("INT"), s -> stop.run());
    try {
      server.loadModel();
    } catch (RuntimeException e) {
      log.debug("model load failure", e);
      // one line, last: the kubelet keeps the log's tail as the termination message, and the
      // operator reads the reason from it and from the exit code
      log.error("cannot load the model: {}", e.getMessage());
      terminationMessage("cannot load the model: " + e.getMessage());
      server.close();
      System.exit(EXIT_MODEL_LOAD_FAILED);
    }
  }

  /**
   * Puts the model into the cache (or finds it there); the last line says what or why not, and
   * {@link FetchReport} leaves the same as JSON in the container's termination message, where the
   * operator reads the resolved revision, size and digest (or the reason) for the ModelServer's
   * status.
   */
  static int fetch(ServerConfig config, Logger log) {
    Path report = terminationLog();
    try {
      ModelFiles files =
          ModelRuntime.locator(config, EngineRegistry.standard())
              .locate(config.modelUri(), config.engine());
      FetchReport done = FetchReport.of(config.modelUri(), files);
      log.info(
          "model ready in the cache: {} ({}, {} bytes, weights SHA-256 {})",
          files.directory(),
          files.engine(),
          done.bytes(),
          done.sha256());
      done.writeTo(report);
      return 0;
    } catch (RuntimeException e) {
      log.debug("model fetch failure", e);
      log.error("cannot fetch the model: {}", e.getMessage());
      FetchReport.failed(config.modelUri(), e).writeTo(report);
      return EXIT_MODEL_LOAD_FAILED;
    }
  }

  /** The kubelet's termination-message file (TERMINATION_LOG overrides it, e.g. in tests). */
  private static Path terminationLog() {
    return Path.of(System.getenv().getOrDefault(ServerEnv.TERMINATION_LOG, "/dev/termination-log"));
  }

  /**
   * Why the server stops, as the container's termination message: without it the kubelet keeps the
   * log's last lines, start-up lines included, and the ModelServer's Degraded message showed them
   * all (seen on the e2e cluster). Best effort: outside Kubernetes the file is not there.
   */
  private static void terminationMessage(String reason) {
    Path file = terminationLog();
    if (!Files.isWritable(file)) {
      return;
    }
    try {
      Files.writeString(file, reason);
    } catch (IOException e) {
      // the log line says the same
    }
  }

  private static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
