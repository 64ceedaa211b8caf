package org.filewcount.agent.traffic;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.filewcount.agent.config.PemTrust;

/** HTTP clients that trust the CA named by CONSUL_CACERT / NOMAD_CACERT (PEM, one or more certificates). */
final class TlsTrust {

  private TlsTrust() {}

  /** @param variable the CA variable the path came from, named in errors */
  static HttpClient client(Optional<Path> caCert, String variable, Duration connectTimeout) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER);
    caCert.ifPresent(p -> b.sslContext(PemTrust.fromPem(p, variable).sslContext()));
    return b.build();
  }
}
