package dev.mlplatform.operator.externalmetrics;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The external-metrics server's TLS identity in PEM: a private CA (its certificate is the
 * APIService's caBundle) and a serving certificate it signed for the operator's Service DNS names,
 * which is what the API server's aggregator verifies when it proxies a query.
 */
public record ServingCertificate(String caPem, String certPem, String keyPem) {

  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration VALIDITY = Duration.ofDays(365);

  public ServingCertificate {
    Objects.requireNonNull(caPem);
    Objects.requireNonNull(certPem);
    Objects.requireNonNull(keyPem);
  }

  /** A new CA and a serving certificate for {@code dnsNames}, valid from {@code now}. */
  public static ServingCertificate generate(List<String> dnsNames, Instant now) {
    try {
      KeyPair caKeys = rsa();
      X500Name caName = new X500Name("CN=mlplatform-operator-external-metrics-ca");
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(
                  caName,
                  serial(),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(CA_VALIDITY)),
                  caName,
                  caKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(ca, caKeys.getPrivate());

      KeyPair keys = rsa();
      GeneralName[] names =
          dnsNames.stream()
              .map(n -> new GeneralName(GeneralName.dNSName, n))
              .toArray(GeneralName[]::new);
      X509v3CertificateBuilder leaf =
          new JcaX509v3CertificateBuilder(
                  caName,
                  serial(),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(VALIDITY)),
                  new X500Name("CN=" + dnsNames.get(0)),
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      X509Certificate cert = sign(leaf, caKeys.getPrivate());
      return new ServingCertificate(pem(caCert), pem(cert), pem(keys.getPrivate()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate the external-metrics certificate", e);
    }
  }

  /** The serving certificate. */
  public X509Certificate certificate() {
    return certificates(certPem).get(0);
  }

  /**
   * Whether this certificate can keep serving {@code dnsNames} for at least {@code margin} from
   * {@code now}, signed by the CA it carries.
   */
  public boolean usable(List<String> dnsNames, Instant now, Duration margin) {
    try {
      X509Certificate cert = certificate();
      X509Certificate ca = certificates(caPem).get(0);
      cert.verify(ca.getPublicKey());
      if (cert.getNotAfter().toInstant().isBefore(now.plus(margin))) {
        return false;
      }
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      List<String> covered = new ArrayList<>();
      if (sans != null) {
        sans.forEach(san -> covered.add(String.valueOf(san.get(1))));
      }
      return covered.containsAll(dnsNames);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The key manager presenting the serving certificate and its CA. */
  public X509KeyManager keyManager() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      List<X509Certificate> chain = new ArrayList<>(certificates(certPem));
      chain.addAll(certificates(caPem));
      char[] password = new char[0];
      store.setKeyEntry(
          "serving", privateKey(keyPem), password, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return (X509KeyManager) factory.getKeyManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("invalid external-metrics certificate or key", e);
    }
  }

  /** Every certificate in a PEM bundle. */
  public static List<X509Certificate> certificates(String pem) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certs = new ArrayList<>();
      for (var cert :
          factory.generateCertificates(
              new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        certs.add((X509Certificate) cert);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("no certificate in the PEM data");
      }
      return certs;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("invalid PEM certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IOException("no private key in the PEM data");
    }
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)));
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
