package dev.mlplatform.server.api;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Receives request bodies without holding a request thread. A body that has not fully arrived when
 * the request is dispatched is read with non-blocking I/O (a servlet {@link ReadListener}) into
 * memory, and the request is dispatched again once it is complete; only then do the routes run. A
 * client that trickles its body a byte at a time so holds a connection, not one of the 250 request
 * threads, and cannot starve other clients. Silence still ends with 408 after the connection's idle
 * timeout: the read fails, and the routes report it when they read the buffered body.
 *
 * <p>Bodies that are already complete (the common case: Jetty dispatches once content arrives) and
 * bodies declared larger than the limit (rejected unread with 413) pass straight through. At most
 * {@code maxRequestBytes + 1} bytes are buffered, so the routes still see a body over the limit.
 */
final class BodyBufferingFilter implements Filter {
  private static final String BODY = BodyBufferingFilter.class.getName() + ".body";

  private final long maxRequestBytes;

  BodyBufferingFilter(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    if (request.getAttribute(BODY) instanceof Received received) {
      request.removeAttribute(BODY);
      chain.doFilter(new BufferedRequest(request, received), res);
      return;
    }
    if (request.getDispatcherType() != DispatcherType.REQUEST || !needsBuffering(request)) {
      chain.doFilter(req, res);
      return;
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(0); // silence is ended by the connection's idle timeout (onError)
    ServletInputStream in = request.getInputStream();
    in.setReadListener(new Reader(request, async, in));
  }

  private boolean needsBuffering(HttpServletRequest request) throws IOException {
    long declared = request.getContentLengthLong();
    if (declared == 0 || declared > maxRequestBytes) {
      return false;
    }
    if (declared < 0) {
      return "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
    }
    return request.getInputStream().available() < declared;
  }

  /** The body as it arrived, and why it stopped arriving if it did not finish. */
  private record Received(byte[] bytes, Throwable failure) {}

  private final class Reader implements ReadListener {
    private final HttpServletRequest request;
    private final AsyncContext async;
    private final ServletInputStream in;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[8192];
    private final AtomicBoolean dispatched = new AtomicBoolean();

    Reader(HttpServletRequest request, AsyncContext async, ServletInputStream in) {
      this.request = request;
      this.async = async;
      this.in = in;
    }

    @Override
    public void onDataAvailable() throws IOException {
      while (in.isReady() && !in.isFinished()) {
        int n = in.read(chunk);
        if (n < 0) {
          break;
        }
        body.write(chunk, 0, n);
        if (body.size() > maxRequestBytes) {
          dispatch(null); // enough to answer 413; the rest is never read
          return;
        }
      }
    }

    @Override
    public void onAllDataRead() {
      dispatch(null);
    }

    @Override
    public void onError(Throwable failure) {
      dispatch(failure);
    }

    private void dispatch(Throwable failure) {
      if (dispatched.compareAndSet(false, true)) {
        request.setAttribute(BODY, new Received(body.toByteArray(), failure));
        async.dispatch();
      }
    }
  }

  /** The request as the routes see it: its body served from memory. */
  private static final class BufferedRequest extends HttpServletRequestWrapper {
    private final Received received;

    BufferedRequest(HttpServletRequest request, Received received) {
      super(request);
      this.received = received;
    }

    @Override
    public ServletInputStream getInputStream() {
      return new BufferedBody(received);
    }
  }

  private static final class BufferedBody extends ServletInputStream {
    private final ByteArrayInputStream bytes;
    private final Throwable failure;

    BufferedBody(Received received) {
      this.bytes = new ByteArrayInputStream(received.bytes());
      this.failure = received.failure();
    }

    @Override
    public int read() throws IOException {
      int b = bytes.read();
      if (b < 0) {
        failIfCut();
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = bytes.read(buffer, offset, length);
      if (n < 0) {
        failIfCut();
      }
      return n;
    }

    /** A body that stopped arriving reads as what arrived, then the failure (e.g. a timeout). */
    private void failIfCut() throws IOException {
      if (failure != null) {
        throw failure instanceof IOException io ? io : new IOException(failure);
      }
    }

    @Override
    public boolean isFinished() {
      return bytes.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new IllegalStateException("the body is already in memory; read it directly");
    }
  }
}
