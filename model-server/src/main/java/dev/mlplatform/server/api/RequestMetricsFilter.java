package dev.mlplatform.server.api;

import dev.mlplatform.server.metrics.ServerMetrics;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * Counts and times every request at the servlet level, where completion is guaranteed: an
 * asynchronous request is finished when its {@code AsyncContext} completes, which happens even when
 * the client has gone away (Javalin's request logger is skipped then, and the in-flight count would
 * drift and stall the shutdown).
 */
final class RequestMetricsFilter implements Filter {
  private final ServerMetrics metrics;
  private final Set<String> routes;

  RequestMetricsFilter(ServerMetrics metrics, Set<String> routes) {
    this.metrics = metrics;
    this.routes = routes;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    long start = System.nanoTime();
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    metrics.requestStarted();
    boolean async = false;
    try {
      chain.doFilter(req, res);
      if (request.isAsyncStarted()) {
        async = true;
        request.getAsyncContext().addListener(new Completion(request, response, start));
      }
    } finally {
      if (!async) {
        finished(request, response.getStatus(), start);
      }
    }
  }

  private void finished(HttpServletRequest request, int status, long start) {
    String path = request.getRequestURI();
    metrics.requestFinished(
        routes.contains(path) ? path : "unmatched",
        request.getMethod(),
        status,
        System.nanoTime() - start);
  }

  private final class Completion implements AsyncListener {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final long start;

    Completion(HttpServletRequest request, HttpServletResponse response, long start) {
      this.request = request;
      this.response = response;
      this.start = start;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      finished(request, response.getStatus(), start);
    }

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    /** A new asynchronous cycle (the route's, after the body was read) drops its listeners. */
    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
