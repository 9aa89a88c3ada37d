package dev.mlplatform.operator.testing;

import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fault the {@link FaultInjectingDispatcher} injects: which requests it matches, which of the
 * matching ones it hits (the first N, every k-th, a seeded fraction, all), and what it does to
 * them:
 *
 * <ul>
 *   <li>{@link #answer(int)}: the write is not applied; the client gets that status (409 conflict,
 *       500, 503 ...);
 *   <li>{@link #afterApplying()}: the write is applied, then the answer is an error anyway, as when
 *       etcd committed but the API server timed out (the client cannot tell which happened);
 *   <li>{@link #delayedBy(Duration)}: the answer comes that much later (the event loop is not
 *       blocked: other requests go on meanwhile); with {@link #passThrough()} the request itself is
 *       served normally, only late.
 * </ul>
 *
 * Counters tell the test how many requests matched and how many were hit, so that a test can prove
 * its faults really happened.
 */
public final class Fault {

  private enum Selection {
    ALL,
    FIRST,
    AFTER,
    EVERY,
    FRACTION
  }

  private final Predicate<ApiRequest> matcher;
  private final String description;
  private Selection selection = Selection.ALL;
  private int n;
  private double fraction;
  private Random random;
  private int code = 500;
  private String message;
  private boolean afterApplying;
  private Duration delay = Duration.ZERO;
  private final AtomicInteger matched = new AtomicInteger();
  private final AtomicInteger hits = new AtomicInteger();
  private volatile boolean active = true;

  private Fault(Predicate<ApiRequest> matcher, String description) {
    this.matcher = matcher;
    this.description = description;
  }

  /** Writes (POST, PUT, PATCH, apply included) of the ModelServer's children in {@code ns}. */
  public static Fault childWrites(String namespace) {
    return new Fault(
        r -> r.isChildWrite() && namespace.equals(r.namespace()), "child writes in " + namespace);
  }

  /** Writes of the given child kinds (plural, e.g. "deployments") in {@code ns}. */
  public static Fault childWrites(String namespace, String... resources) {
    Set<String> kinds = Set.of(resources);
    return new Fault(
        r -> r.isChildWrite() && namespace.equals(r.namespace()) && kinds.contains(r.resource()),
        String.join(",", resources) + " writes in " + namespace);
  }

  /** Writes of ModelServer status in {@code ns}. */
  public static Fault statusWrites(String namespace) {
    return new Fault(
        r ->
            r.isStatusWrite()
                && "modelservers".equals(r.resource())
                && namespace.equals(r.namespace()),
        "status writes in " + namespace);
  }

  /** Any request matching {@code matcher}. */
  public static Fault requests(Predicate<ApiRequest> matcher, String description) {
    return new Fault(matcher, description);
  }

  /** Hit only the first {@code n} matching requests. */
  public Fault first(int n) {
    this.selection = Selection.FIRST;
    this.n = n;
    return this;
  }

  /** Let the first {@code n} matching requests through and hit every later one. */
  public Fault after(int n) {
    this.selection = Selection.AFTER;
    this.n = n;
    return this;
  }

  /** Hit the 1st, (k+1)th, (2k+1)th ... matching request. */
  public Fault every(int k) {
    this.selection = Selection.EVERY;
    this.n = k;
    return this;
  }

  /** Hit each matching request with probability {@code p}, drawn from a seeded generator. */
  public Fault fraction(double p, long seed) {
    this.selection = Selection.FRACTION;
    this.fraction = p;
    this.random = new Random(seed);
    return this;
  }

  /** Answer hit requests with this HTTP status (default 500). */
  public Fault answer(int code) {
    this.code = code;
    return this;
  }

  /** Answer hit requests with this HTTP status and this message in the Status body. */
  public Fault answer(int code, String message) {
    this.message = message;
    return answer(code);
  }

  /** Let hit requests through unchanged (combine with {@link #delayedBy(Duration)}). */
  public Fault passThrough() {
    this.code = 0;
    return this;
  }

  /** Apply hit writes, then answer with the error anyway. */
  public Fault afterApplying() {
    this.afterApplying = true;
    return this;
  }

  /** Answer hit requests only after {@code delay}. */
  public Fault delayedBy(Duration delay) {
    this.delay = delay;
    return this;
  }

  /** Stops hitting (matching requests pass untouched from now on). */
  public void heal() {
    active = false;
  }

  /** Requests that matched while the fault was active. */
  public int matched() {
    return matched.get();
  }

  /** Requests the fault was injected into. */
  public int hits() {
    return hits.get();
  }

  int code() {
    return code;
  }

  String message() {
    return message == null ? "injected fault: " + this : message;
  }

  boolean afterApplyingWrite() {
    return afterApplying;
  }

  Duration delay() {
    return delay;
  }

  /** Whether this request is hit; counts it. */
  synchronized boolean hits(ApiRequest request) {
    if (!active || !matcher.test(request)) {
      return false;
    }
    int index = matched.incrementAndGet();
    boolean hit =
        switch (selection) {
          case ALL -> true;
          case FIRST -> index <= n;
          case AFTER -> index > n;
          case EVERY -> (index - 1) % n == 0;
          case FRACTION -> random.nextDouble() < fraction;
        };
    if (hit) {
      hits.incrementAndGet();
    }
    return hit;
  }

  @Override
  public String toString() {
    return description
        + " -> "
        + (code == 0 ? "passed" : (afterApplying ? "applied, then " : "") + code)
        + (delay.isZero() ? "" : " after " + delay.toMillis() + " ms");
  }
}
