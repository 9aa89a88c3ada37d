package dev.mlplatform.operator.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The front-proxy CA and the client certificate the kube-apiserver's aggregator presents to
 * aggregated API servers (what kubeadm makes as front-proxy-ca.crt and front-proxy-client.crt), and
 * the API server flags that use them. kube-api-test sets none of these, so without them the
 * aggregator could not authenticate to the operator's external-metrics API.
 */
final class FrontProxyCertificates {

  static final String CLIENT_NAME = "front-proxy-client";

  private FrontProxyCertificates() {}

  /** Writes the files into {@code dir} and returns the API server flags naming them. */
  static List<String> write(Path dir) {
    try {
      Files.createDirectories(dir);
      Instant now = Instant.now();
      KeyPair caKeys = rsa();
      X500Name caName = new X500Name("CN=front-proxy-ca");
      X509Certificate ca =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName,
                      serial(),
                      Date.from(now.minus(Duration.ofHours(1))),
                      Date.from(now.plus(Duration.ofDays(30))),
                      caName,
                      caKeys.getPublic())
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                  .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign)),
              caKeys);
      KeyPair clientKeys = rsa();
      X509Certificate client =
          sign(
              new JcaX509v3CertificateBuilder(
                      caName,
                      serial(),
                      Date.from(now.minus(Duration.ofHours(1))),
                      Date.from(now.plus(Duration.ofDays(30))),
                      new X500Name("CN=" + CLIENT_NAME),
                      clientKeys.getPublic())
                  .addExtension(
                      Extension.keyUsage,
                      true,
                      new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                  .addExtension(
                      Extension.extendedKeyUsage,
                      false,
                      new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)),
              caKeys);
      Path caFile = dir.resolve("front-proxy-ca.crt");
      Path certFile = dir.resolve("front-proxy-client.crt");
      Path keyFile = dir.resolve("front-proxy-client.key");
      Files.writeString(caFile, pem(ca));
      Files.writeString(certFile, pem(client));
      Files.writeString(keyFile, pem(clientKeys.getPrivate()));
      return List.of(
          "--requestheader-client-ca-file=" + caFile,
          "--requestheader-allowed-names=" + CLIENT_NAME,
          "--requestheader-username-headers=X-Remote-User",
          "--requestheader-group-headers=X-Remote-Group",
          "--requestheader-extra-headers-prefix=X-Remote-Extra-",
          "--proxy-client-cert-file=" + certFile,
          "--proxy-client-key-file=" + keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the front-proxy certificates", e);
    }
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
