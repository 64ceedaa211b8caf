package org.filewcount.agent.registry;

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
import org.filewcount.agent.config.ConfigException;

/** Trust for Consul's HTTPS listener, from the PEM bundle CONSUL_CACERT names (as the consul CLI does). */
public record ConsulTls(SSLContext sslContext, X509TrustManager trustManager) {

  public static ConsulTls fromPem(Path caCert) {
    try (InputStream in = Files.newInputStream(caCert)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new ConfigException("CONSUL_CACERT " + caCert + " holds no PEM certificate: point it at the CA"
            + " that signed Consul's HTTPS certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate cert : certs) {
        store.setCertificateEntry("consul-ca-" + i++, cert);
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
      return new ConsulTls(ctx, tm);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("CONSUL_CACERT " + caCert + " cannot be used as a CA bundle ("
          + e.getMessage() + "): point it at a PEM file with the CA certificate");
    }
  }
}
