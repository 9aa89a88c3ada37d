package dev.mlplatform.server.api;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Whether a request's connection has lived past the maximum age, so that its response should close
 * it. Through a Kubernetes Service a kept-alive connection stays on the pod it first reached
 * (kube-proxy balances connections, not requests): without this, clients that connected before a
 * scale-up never reach the new replicas (seen on the e2e cluster: three Ready pods, one doing all
 * the work). Each connection's limit is spread over ±10 % of the age, so clients that connected
 * together do not all reconnect together.
 */
final class ConnectionAge {

  private final long maxMillis;

  ConnectionAge(Duration max) {
    this.maxMillis = max.toMillis();
  }

  boolean expired(HttpServletRequest request) {
    if (maxMillis <= 0) {
      return false;
    }
    Request base = Request.getBaseRequest(request);
    if (base == null || base.getHttpChannel() == null) {
      return false;
    }
    EndPoint endPoint = base.getHttpChannel().getEndPoint();
    long age = System.currentTimeMillis() - endPoint.getCreatedTimeStamp();
    return age >= limit(System.identityHashCode(endPoint));
  }

  /** 90 % to 110 % of the age, fixed per connection. */
  long limit(int connectionHash) {
    return maxMillis * (900 + Math.floorMod(connectionHash, 201)) / 1000;
  }
}
