package dev.mlplatform.operator.externalmetrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code external.metrics.k8s.io/v1beta1} API, served over TLS to the kube-apiserver's
 * aggregator only: the TLS handshake requires a client certificate signed by the front-proxy CA
 * ({@link FrontProxyTrust}), its common name must be one the API server allows, and a query is
 * answered only when a SubjectAccessReview says the user the aggregator acts for may get the metric
 * ({@link AccessReviews}).
 *
 * <p>Routes: the discovery documents ({@code /apis}, {@code /apis/external.metrics.k8s.io}, {@code
 * /apis/external.metrics.k8s.io/v1beta1}) and {@code
 * /apis/external.metrics.k8s.io/v1beta1/namespaces/NS/METRIC?labelSelector=...}, answered with an
 * ExternalMetricValueList of one item, or a Status: 404 for an unknown metric, 503 with the reasons
 * when no ready pod could be read (the HPA then keeps its replicas).
 */
public final class ExternalMetricsServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExternalMetricsServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "/apis/" + ExternalMetric.GROUP_VERSION + "/namespaces/";

  private final HttpsServer server;
  private final ExecutorService executor;
  private final FrontProxyTrust trust;
  private final AccessReviews reviews;
  private final ModelServerLoad load;
  private final ExternalMetricsMeters meters;
  private final Clock clock;

  public ExternalMetricsServer(
      int port,
      ServingCertificate certificate,
      FrontProxyTrust trust,
      AccessReviews reviews,
      ModelServerLoad load,
      ExternalMetricsMeters meters,
      Clock clock)
      throws IOException {
    this.trust = Objects.requireNonNull(trust);
    this.reviews = Objects.requireNonNull(reviews);
    this.load = Objects.requireNonNull(load);
    this.meters = Objects.requireNonNull(meters);
    this.clock = Objects.requireNonNull(clock);
    SSLContext tls;
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {certificate.keyManager()}, new TrustManager[] {trust}, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for the external-metrics API", e);
    }
    server = HttpsServer.create(new InetSocketAddress(port), 32);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setNeedClientAuth(true);
            params.setSSLParameters(parameters);
          }
        });
    executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "external-metrics");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Optional<X509Certificate> client = clientCertificate(exchange);
      if (client.isEmpty() || !trust.allowed(client.get())) {
        respond(exchange, status(401, "Unauthorized", "front-proxy client certificate required"));
        return;
      }
      if (!"GET".equals(exchange.getRequestMethod())) {
        respond(exchange, status(405, "MethodNotAllowed", "only GET is served"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      respond(exchange, route(exchange, path));
    } catch (RuntimeException e) {
      log.warn("external-metrics request {} failed", exchange.getRequestURI(), e);
      respond(exchange, status(500, "InternalError", String.valueOf(e.getMessage())));
    }
  }

  private Reply route(HttpExchange exchange, String path) {
    String trimmed =
        path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    switch (trimmed) {
      case "/apis":
        return new Reply(200, Discovery.groupList());
      case "/apis/" + ExternalMetric.GROUP:
        return new Reply(200, Discovery.group());
      case "/apis/" + ExternalMetric.GROUP_VERSION:
        return new Reply(200, Discovery.resources());
      default:
        break;
    }
    if (!trimmed.startsWith(PREFIX)) {
      return status(404, "NotFound", "no route " + path);
    }
    String[] parts = trimmed.substring(PREFIX.length()).split("/");
    if (parts.length != 2) {
      return status(404, "NotFound", "no route " + path);
    }
    String namespace = parts[0];
    String metricName = parts[1];
    Optional<ExternalMetric> metric = ExternalMetric.named(metricName);
    if (metric.isEmpty()) {
      return status(
          404,
          "NotFound",
          "no external metric "
              + metricName
              + "; served: "
              + Arrays.stream(ExternalMetric.values()).map(ExternalMetric::metricName).toList());
    }
    Map<String, List<String>> headers = exchange.getRequestHeaders();
    FrontProxyTrust.Settings settings = trust.settings();
    String user = first(headers, settings.userHeaders());
    if (user == null) {
      return status(401, "Unauthorized", "no user header (" + settings.userHeaders() + ")");
    }
    AccessReviews.Decision decision =
        reviews.decide(
            new AccessReviews.Question(
                user, all(headers, settings.groupHeaders()), namespace, metricName));
    if (!decision.allowed()) {
      return status(
          403,
          "Forbidden",
          user
              + " may not get "
              + ExternalMetric.GROUP
              + " "
              + metricName
              + " in "
              + namespace
              + (decision.reason().isBlank() ? "" : ": " + decision.reason()));
    }
    String selector = query(exchange).getOrDefault("labelSelector", "");
    if (selector.isBlank()) {
      return status(
          400, "BadRequest", "labelSelector is required: it names the ModelServer's pods");
    }
    Optional<MetricValue> value = load.value(namespace, metric.get(), selector);
    meters.served(namespace, selector, metric.get(), value);
    if (value.isEmpty()) {
      return status(
          503,
          "ServiceUnavailable",
          "no ready pod of "
              + selector
              + " in "
              + namespace
              + " could be read; see the operator log");
    }
    return new Reply(200, valueList(metric.get(), value.get()));
  }

  private Map<String, Object> valueList(ExternalMetric metric, MetricValue value) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("metricName", metric.metricName());
    item.put("metricLabels", Map.of());
    item.put(
        "timestamp",
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    item.put("value", quantity(value.value()));
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("kind", "ExternalMetricValueList");
    list.put("apiVersion", ExternalMetric.GROUP_VERSION);
    list.put("metadata", Map.of());
    list.put("items", List.of(item));
    return list;
  }

  /** A Kubernetes quantity: whole numbers as such, else in thousandths ("2500m"). */
  static String quantity(double value) {
    long milli = Math.round(value * 1000);
    return milli % 1000 == 0 ? Long.toString(milli / 1000) : milli + "m";
  }

  private static Optional<X509Certificate> clientCertificate(HttpExchange exchange) {
    if (!(exchange instanceof HttpsExchange https)) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = https.getSSLSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate cert
          ? Optional.of(cert)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private static String first(Map<String, List<String>> headers, List<String> names) {
    for (String name : names) {
      List<String> values = headers.get(name);
      if (values != null && !values.isEmpty() && !values.get(0).isBlank()) {
        return values.get(0);
      }
    }
    return null;
  }

  private static List<String> all(Map<String, List<String>> headers, List<String> names) {
    List<String> values = new ArrayList<>();
    for (String name : names) {
      values.addAll(Optional.ofNullable(headers.get(name)).orElse(List.of()));
    }
    return values;
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> params = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(key, value);
    }
    return params;
  }

  private record Reply(int code, Object body) {}

  private static Reply status(int code, String reason, String message) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return new Reply(code, status);
  }

  private static void respond(HttpExchange exchange, Reply reply) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(reply.body());
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(reply.code(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
