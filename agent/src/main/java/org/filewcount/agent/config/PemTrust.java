package org.filewcount.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust for an HTTPS API (Consul, Nomad) from the PEM bundle a CA variable names, as HashiCorp's CLIs
 * read CONSUL_CACERT and NOMAD_CACERT. Errors name the variable, so the fix is obvious.
 */
public record PemTrust(SSLContext sslContext, X509TrustManager trustManager) {

  /** @param variable the environment variable the path came from, for error messages */
  public static PemTrust fromPem(Path caCert, String variable) {
    try (InputStream in = Files.newInputStream(caCert)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new ConfigException(variable + " " + caCert + " holds no PEM certificate: point it at the CA"
            + " that signed the server's HTTPS certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate cert : certs) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      X509TrustManager tm = null;
      for (TrustManager candidate : tmf.getTrustManagers()) {
        if (candidate instanceof X509TrustManager x) {
          tm = x;
        }
      }
      if (tm == null) {
        throw new IllegalStateException("the JDK offers no X.509 trust manager");
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {tm}, null);
      return new PemTrust(ctx, tm);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(variable + " " + caCert + " cannot be used as a CA bundle ("
          + e.getMessage() + "): point it at a PEM file with the CA certificate");
    }
  }
}
