package dev.mlplatform.server.api;

import dev.mlplatform.server.batching.BatcherClosedException;
import dev.mlplatform.server.batching.InferenceException;
import dev.mlplatform.server.batching.QueueFullException;
import dev.mlplatform.server.embedding.InputTooLongException;
import dev.mlplatform.server.metrics.ServerMetrics;
import io.javalin.http.Context;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.BadMessageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP statuses and JSON error bodies. */
final class ErrorResponder {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);
  private final ServerMetrics metrics;

  ErrorResponder(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  void respond(Throwable failure, Context ctx) {
    ApiException error = toApiException(unwrap(failure));
    if (error.status() >= 500 && error.status() != 503) {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), unwrap(failure));
    } else {
      metrics.rejected(error.code());
    }
    if (error.retryAfterSeconds() != null) {
      ctx.header("Retry-After", error.retryAfterSeconds().toString());
    }
    ctx.status(error.status()).json(ErrorBody.of(error));
  }

  static ApiException toApiException(Throwable failure) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof QueueFullException full) {
      return ApiException.overloaded(full.getMessage(), full.retryAfterSeconds());
    }
    if (failure instanceof BatcherClosedException closed) {
      return ApiException.unavailable("draining", closed.getMessage());
    }
    if (failure instanceof InputTooLongException tooLong) {
      return ApiException.tooLarge(
          "input[" + tooLong.index() + "]", "input_too_long", tooLong.getMessage());
    }
    if (failure instanceof BadMessageException bad) {
      // raised by Jetty while reading the request, e.g. broken chunked framing
      return ApiException.malformed("malformed_request", "unreadable request: " + bad.getReason());
    }
    if (failure instanceof InferenceException inference) {
      return ApiException.internal(inference.getMessage());
    }
    return ApiException.internal("internal error: " + failure.getClass().getSimpleName());
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
