package dev.mlplatform.server.lifecycle;

/** Where the server is in its life; only {@link #READY} reports ready. */
public enum Phase {
  /** Loading and warming up the model; inference answers 503. */
  STARTING,
  /** Serving. */
  READY,
  /**
   * SIGTERM received: readiness is 503 so endpoints drop the pod, but requests are still served.
   */
  DRAINING,
  /** The drain period is over: new inference work is refused, accepted work finishes. */
  CLOSING
}
