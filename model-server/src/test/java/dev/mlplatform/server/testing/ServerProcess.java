package dev.mlplatform.server.testing;

import static org.awaitility.Awaitility.await;

import dev.mlplatform.server.Main;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The model server as its own process, started as the container starts it. */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int httpPort;

  private ServerProcess(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /** The server's main class on the test classpath (every engine the module depends on). */
  public static ServerProcess start(Map<String, String> env) throws IOException {
    return start(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()), env);
  }

  /** {@code java -jar JAR}, as the image's entrypoint starts the packaged server. */
  public static ServerProcess startJar(Path jar, Map<String, String> env) throws IOException {
    return start(List.of("-jar", jar.toString()), env);
  }

  private static ServerProcess start(List<String> launch, Map<String, String> env)
      throws IOException {
    int[] ports = freePorts(2);
    int httpPort = ports[0];
    Path log = Files.createTempFile("model-server", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(launch);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> all = new HashMap<>();
    all.put("HTTP_PORT", "" + httpPort);
    all.put("METRICS_PORT", "" + ports[1]);
    all.put("INFERENCE_THREADS", "2");
    all.putAll(env);
    builder.environment().putAll(all);
    return new ServerProcess(builder.start(), log, httpPort);
  }

  /**
   * {@code n} distinct free ports: the sockets stay open until all are chosen (closed one by one,
   * the kernel handed out the same port twice in a CI run: "METRICS_PORT must differ from
   * HTTP_PORT").
   */
  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  public ApiClient awaitReady() {
    ApiClient api = new ApiClient(httpPort);
    await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions()
        .until(() -> !process.isAlive() || api.get("/health/ready").status() == 200);
    if (!process.isAlive()) {
      // at once, not after the timeout: the wait above ignores exceptions (connection refused)
      throw new AssertionError("the server exited: " + log());
    }
    return api;
  }

  public int httpPort() {
    return httpPort;
  }

  public Process process() {
    return process;
  }

  /** The shared libraries the process has mapped, from {@code /proc/PID/maps}. */
  public String mappedLibraries() throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(process.pid()), "maps"));
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
