package dev.mlplatform.operator.externalmetrics;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Who may call the external-metrics API: only the kube-apiserver's aggregator, which presents its
 * front-proxy client certificate. The CA that signs it, the common names it may carry and the
 * headers naming the user it acts for are what the API server publishes in the ConfigMap {@code
 * kube-system/extension-apiserver-authentication} (readable through the {@code
 * extension-apiserver-authentication-reader} Role), the same source every aggregated API server
 * reads. It is read once, when the API starts: a rotated front-proxy CA needs an operator restart.
 */
public final class FrontProxyTrust extends X509ExtendedTrustManager {

  public static final String CONFIG_MAP_NAMESPACE = "kube-system";
  public static final String CONFIG_MAP = "extension-apiserver-authentication";

  /**
   * What the ConfigMap says.
   *
   * @param allowedNames client certificate common names accepted; empty accepts any the CA signed
   */
  public record Settings(
      List<X509Certificate> clientCa,
      List<String> allowedNames,
      List<String> userHeaders,
      List<String> groupHeaders) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private volatile Settings settings;
  private volatile X509TrustManager trust;

  public FrontProxyTrust(KubernetesClient client) {
    this.client = Objects.requireNonNull(client);
  }

  /** Reads the ConfigMap; fails when the API server publishes no front-proxy CA. */
  public synchronized Settings refresh() {
    ConfigMap map =
        client.configMaps().inNamespace(CONFIG_MAP_NAMESPACE).withName(CONFIG_MAP).get();
    Settings next = parse(map);
    trust = trustManager(next.clientCa());
    settings = next;
    return next;
  }

  public Settings settings() {
    Settings current = settings;
    return current != null ? current : refresh();
  }

  static Settings parse(ConfigMap map) {
    Map<String, String> data = Optional.ofNullable(map).map(ConfigMap::getData).orElse(Map.of());
    String ca = data.get("requestheader-client-ca-file");
    if (ca == null || ca.isBlank()) {
      throw new IllegalStateException(
          "ConfigMap "
              + CONFIG_MAP_NAMESPACE
              + "/"
              + CONFIG_MAP
              + " has no requestheader-client-ca-file: the API server runs without"
              + " --requestheader-client-ca-file, so it cannot proxy to aggregated APIs");
    }
    return new Settings(
        ServingCertificate.certificates(ca),
        list(data.get("requestheader-allowed-names")),
        withDefault(list(data.get("requestheader-username-headers")), "X-Remote-User"),
        withDefault(list(data.get("requestheader-group-headers")), "X-Remote-Group"));
  }

  /** The common name of a verified client certificate is one the API server allows. */
  public boolean allowed(X509Certificate client) {
    List<String> names = settings().allowedNames();
    return names.isEmpty() || names.contains(commonName(client));
  }

  static String commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      return "";
    }
    return "";
  }

  private static List<String> list(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    try {
      return List.copyOf(JSON.readValue(json, new TypeReference<List<String>>() {}));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + json + " as a JSON list", e);
    }
  }

  private static List<String> withDefault(List<String> values, String fallback) {
    return values.isEmpty() ? List.of(fallback) : values;
  }

  private static X509TrustManager trustManager(List<X509Certificate> cas) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("front-proxy-ca-" + i, cas.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the front-proxy CA", e);
    }
  }

  private X509TrustManager trust() {
    X509TrustManager current = trust;
    if (current == null) {
      refresh();
      current = trust;
    }
    return current;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    trust().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    trust().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    trust().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the external-metrics server trusts no server certificate");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return trust().getAcceptedIssuers();
  }
}
