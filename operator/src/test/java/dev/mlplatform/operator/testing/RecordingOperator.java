package dev.mlplatform.operator.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An operator in a JVM of its own ({@link RecordingOperatorMain}: the shaded jar's code with the
 * requests of its client recorded), talking to the API server with the credentials of a kubeconfig
 * only, as a pod with its ServiceAccount token does. Gives its management port (/metrics), what its
 * client sent and what was refused, its log, and stops it with SIGTERM or SIGKILL.
 */
public final class RecordingOperator implements AutoCloseable {

  private final String name;
  private final Process process;
  private final int managementPort;
  private final int callsPort;
  private final Path log;
  private final Path journal;
  private final HttpClient http = HttpClient.newHttpClient();

  private RecordingOperator(
      String name, Process process, int managementPort, int callsPort, Path log, Path journal) {
    this.name = name;
    this.process = process;
    this.managementPort = managementPort;
    this.callsPort = callsPort;
    this.log = log;
    this.journal = journal;
  }

  /**
   * Starts one with {@code kubeconfig}'s credentials and the operator settings {@code settings}
   * (LEADER_ELECTION and so on; MANAGEMENT_PORT is chosen here), writing its log and journal into
   * {@code dir} under {@code name}, which is also its HOSTNAME (JOSDK's leader identity).
   */
  public static RecordingOperator start(
      String name, Path kubeconfig, Map<String, String> settings, Path dir, List<String> jvmArgs)
      throws IOException {
    Files.createDirectories(dir);
    Path log = dir.resolve(name + ".log");
    Path journal = dir.resolve(name + ".refused");
    Files.deleteIfExists(journal);
    int managementPort = freePort();
    int callsPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    // as the image runs it (Dockerfile.operator)
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
    command.addAll(jvmArgs);
    // the shaded jar's logback.xml (LOG_LEVEL), not the tests' logback-test.xml
    command.add("-Dlogback.configurationFile=logback.xml");
    command.add("-cp");
    command.add(OperatorProcess.jar().toAbsolutePath() + File.pathSeparator + testClasses());
    command.add(RecordingOperatorMain.class.getName());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG"));
    env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("HOSTNAME", name);
    env.put("LOG_LEVEL", "INFO");
    env.putAll(settings);
    env.put("MANAGEMENT_PORT", String.valueOf(managementPort));
    env.put("API_CALLS_PORT", String.valueOf(callsPort));
    env.put("API_CALLS_JOURNAL", journal.toAbsolutePath().toString());
    return new RecordingOperator(name, builder.start(), managementPort, callsPort, log, journal);
  }

  private static String testClasses() {
    return Path.of(
            RecordingOperatorMain.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .getPath())
        .toAbsolutePath()
        .toString();
  }

  public String name() {
    return name;
  }

  public Process process() {
    return process;
  }

  public int managementPort() {
    return managementPort;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** What its client sent so far; the refusals also once the process has ended. */
  public ApiCalls.Report calls() {
    if (process.isAlive()) {
      try {
        return ApiCalls.parse(get(callsPort, "/calls"));
      } catch (IOException e) {
        // ending, or not listening yet: the journal still has the refusals
      }
    }
    return refusedOnly();
  }

  /** The refusals from the journal (written as they happen). */
  public ApiCalls.Report refusedOnly() {
    try {
      return ApiCalls.parse(Files.exists(journal) ? Files.readString(journal) : "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sum of the series of a metric whose labels contain {@code labels}; -1 if unreachable. */
  public double metric(String metric, String labels) {
    try {
      return get(managementPort, "/metrics")
          .lines()
          .filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
          .filter(l -> l.contains(labels))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .sum();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Every series of the operator's metrics whose name starts with {@code prefix}. */
  public Map<String, Double> metrics(String prefix) {
    Map<String, Double> all = new TreeMap<>();
    try {
      get(managementPort, "/metrics")
          .lines()
          .filter(l -> !l.startsWith("#") && l.startsWith(prefix))
          .forEach(
              l ->
                  all.put(
                      l.substring(0, l.lastIndexOf(' ')),
                      Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
    } catch (IOException e) {
      // not reachable: empty
    }
    return all;
  }

  private String get(int port, String path) throws IOException {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException(path + " answered " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** The last {@code n} lines of its log that are not stack frames. */
  public List<String> logTail(int n) {
    try {
      List<String> lines =
          Files.readAllLines(log).stream()
              .filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... "))
              .toList();
      return lines.subList(Math.max(0, lines.size() - n), lines.size());
    } catch (IOException e) {
      return List.of("(no log: " + e.getMessage() + ")");
    }
  }

  public Path log() {
    return log;
  }

  /** SIGTERM, as the kubelet stops a pod; waits for it to end. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGKILL: a crash, nothing runs on the way out. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        stop();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
