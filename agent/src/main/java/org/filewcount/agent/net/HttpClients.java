package org.filewcount.agent.net;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.filewcount.agent.config.PemTrust;

/**
 * The one place the agent builds outbound HTTP clients (Consul, Nomad, Prometheus, webhooks, the
 * functional probe), so redirects, connect timeouts and CA trust are decided once. consul-client builds
 * its own OkHttp client from the same settings inside {@code consul.KiwiConsulAgent}.
 *
 * <p>Redirects are never followed: a redirect would carry an ACL token header to wherever it points.
 */
public final class HttpClients {

  private HttpClients() {}

  /** A client with the JDK's default protocol choice, trusting the system CAs. */
  public static HttpClient plain(Duration connectTimeout) {
    return builder(connectTimeout).build();
  }

  /**
   * A client that also trusts the CA named by CONSUL_CACERT / NOMAD_CACERT (PEM, one or more certificates).
   *
   * @param variable the CA variable the path came from, named in errors
   */
  public static HttpClient trusting(Optional<Path> caCert, String variable, Duration connectTimeout) {
    return trusting(caCert.map(p -> PemTrust.fromPem(p, variable)), connectTimeout);
  }

  /** A client that also trusts a CA already read, for a caller that hands the same trust to another client. */
  public static HttpClient trusting(Optional<PemTrust> trust, Duration connectTimeout) {
    HttpClient.Builder b = builder(connectTimeout);
    trust.ifPresent(t -> b.sslContext(t.sslContext()));
    return b.build();
  }

  /** HTTP/1.1 only: what the app speaks; no h2c upgrade header on a probe that must look like a user. */
  public static HttpClient http1(Duration connectTimeout) {
    return builder(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  private static HttpClient.Builder builder(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER);
  }
}
