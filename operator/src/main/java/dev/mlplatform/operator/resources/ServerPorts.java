package dev.mlplatform.operator.resources;

/** The model server's fixed ports and the drain it does on SIGTERM (see DESIGN.md). */
public final class ServerPorts {

  public static final String HTTP = "http";
  public static final String METRICS = "metrics";
  public static final int HTTP_PORT = 8080;
  public static final int METRICS_PORT = 9090;
  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";
  public static final int DEFAULT_DRAIN_SECONDS = 5;

  /** Time after the drain for in-flight batches to finish before the kubelet sends SIGKILL. */
  public static final int GRACE_AFTER_DRAIN_SECONDS = 30;

  private ServerPorts() {}
}
