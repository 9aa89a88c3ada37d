package dev.mlplatform.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The CRUD mock with server-side apply ({@link ServerSideApplyCrudDispatcher}) that fails on
 * purpose: each {@link Fault} answers some of the requests it matches with an error, late, or after
 * applying them anyway. Faults sit in front of the whole server, so a fault on a write is seen by
 * the client exactly as a real API server's error would be, and the apply handler's own internal
 * reads and writes are never hit.
 *
 * <p>Every request is journaled ({@link #requests()}) so that tests can count what the operator
 * attempted, and when.
 */
public class FaultInjectingDispatcher extends ServerSideApplyCrudDispatcher {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final Queue<ApiRequest> journal = new ConcurrentLinkedQueue<>();

  /** Adds a fault; it stays until {@link Fault#heal()} or {@link #healAll()}. */
  public Fault inject(Fault fault) {
    faults.add(fault);
    return fault;
  }

  public void healAll() {
    faults.forEach(Fault::heal);
    faults.clear();
  }

  /** Every request received so far, in arrival order. */
  public List<ApiRequest> requests() {
    return new ArrayList<>(journal);
  }

  /** The requests received so far that match. */
  public List<ApiRequest> requests(Predicate<ApiRequest> filter) {
    return journal.stream().filter(filter).toList();
  }

  @Override
  public MockResponse dispatch(RecordedRequest recorded) {
    ApiRequest request = ApiRequest.of(recorded);
    journal.add(request);
    for (Fault fault : faults) {
      if (fault.hits(request)) {
        return injected(fault, recorded);
      }
    }
    return super.dispatch(recorded);
  }

  private MockResponse injected(Fault fault, RecordedRequest recorded) {
    MockResponse response;
    if (fault.code() == 0) {
      response = super.dispatch(recorded);
    } else {
      if (fault.afterApplyingWrite()) {
        super.dispatch(recorded);
      }
      response = status(fault.code(), fault.message());
    }
    if (!fault.delay().isZero()) {
      // Vert.x sends the body on a timer: the event loop stays free for other requests.
      response.setBodyDelay(fault.delay());
    }
    return response;
  }

  private static MockResponse status(int code, String message) {
    ObjectNode status = JSON.createObjectNode();
    status.put("apiVersion", "v1");
    status.put("kind", "Status");
    status.put("status", "Failure");
    status.put("message", message);
    status.put(
        "reason",
        switch (code) {
          case 409 -> "Conflict";
          case 503 -> "ServiceUnavailable";
          case 504 -> "Timeout";
          default -> "InternalError";
        });
    status.put("code", code);
    return new MockResponse().setResponseCode(code).setBody(status.toString());
  }
}
