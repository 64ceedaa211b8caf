package org.filewcount.agent.consul;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.PemTrust;
import org.filewcount.agent.net.HttpClients;

/**
 * The transport for every Consul HTTP API call consul-client cannot express (config entries, KV, sessions,
 * blocking queries, the Connect sidecar registration), over java.net.http built by {@link HttpClients}.
 * The ACL token travels only in the {@code X-Consul-Token} header (a {@code ?token=} query parameter would
 * land in access logs), and no message built here ever contains it.
 */
public final class ConsulHttp {

  public static final String TOKEN_HEADER = "X-Consul-Token";

  /** Consul servers may be a network hop away: a little slack over the local agent's timeouts. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** A Consul answer: status, body, and the X-Consul-Index header for blocking queries. */
  public record Response(int status, String body, OptionalLong index) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  private final URI base;
  private final ConsulSettings settings;
  private final HttpClient client;
  private final Duration requestTimeout;

  public ConsulHttp(ConsulSettings settings) {
    this(settings, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
  }

  public ConsulHttp(ConsulSettings settings, Duration connectTimeout, Duration requestTimeout) {
    this(settings, settings.caCert().map(p -> PemTrust.fromPem(p, "CONSUL_CACERT")), connectTimeout, requestTimeout);
  }

  /** With CONSUL_CACERT already read: {@link KiwiConsulAgent} hands consul-client the same trust. */
  ConsulHttp(ConsulSettings settings, Optional<PemTrust> trust, Duration connectTimeout, Duration requestTimeout) {
    this.settings = settings;
    String a = settings.address().toString();
    this.base = URI.create(a.endsWith("/") ? a.substring(0, a.length() - 1) : a);
    this.client = HttpClients.trusting(trust, connectTimeout);
    this.requestTimeout = requestTimeout;
  }

  public URI address() {
    return base;
  }

  public Response get(String pathAndQuery) {
    return send(request(pathAndQuery, requestTimeout).GET().build());
  }

  /** A blocking query: Consul holds the request up to {@code wait}, so the client waits a little longer. */
  public Response get(String pathAndQuery, Duration wait) {
    return send(request(pathAndQuery, wait.plus(wait.dividedBy(16)).plusSeconds(5)).GET().build());
  }

  public Response put(String pathAndQuery, String jsonBody) {
    return send(request(pathAndQuery, requestTimeout)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8)).build());
  }

  public Response delete(String pathAndQuery) {
    return send(request(pathAndQuery, requestTimeout).DELETE().build());
  }

  private HttpRequest.Builder request(String pathAndQuery, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
        .timeout(timeout)
        .header("Accept", "application/json");
    settings.token().ifPresent(t -> b.header(TOKEN_HEADER, t.reveal()));
    return b;
  }

  private Response send(HttpRequest request) {
    String what = request.method() + " " + request.uri().getPath();
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      Optional<String> idx = r.headers().firstValue("X-Consul-Index");
      OptionalLong index = OptionalLong.empty();
      if (idx.isPresent()) {
        try {
          index = OptionalLong.of(Long.parseLong(idx.get().strip()));
        } catch (NumberFormatException ignored) {
          // A malformed index only costs the blocking query its efficiency.
        }
      }
      return new Response(r.statusCode(), r.body(), index);
    } catch (IOException e) {
      boolean tls = e instanceof javax.net.ssl.SSLException;
      throw new ConsulException("Consul at " + base + " did not answer " + what + " ("
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + "): "
          + (tls ? "its TLS certificate is not trusted; set CONSUL_CACERT to the PEM of the CA that signed it"
              : "check CONSUL_HTTP_ADDR/--consul and that the Consul agent runs"), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConsulException("interrupted while calling Consul: " + what, e);
    }
  }

  /** Turns a non-2xx answer into an error that says what to do; Consul's own text is kept (it has no token). */
  public static ConsulException failure(String what, Response r) {
    return failure(what, r, "shifting needs service:write on the service, reading needs service:read");
  }

  /** @param permissions which ACL rights {@code what} needs, said when Consul answers 401 or 403 */
  static ConsulException failure(String what, Response r, String permissions) {
    String body = r.body() == null ? "" : r.body().strip();
    if (body.length() > 500) {
      body = body.substring(0, 500) + "...";
    }
    String hint = switch (r.status()) {
      case 401, 403 -> ": the ACL token (CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE) lacks the permission; "
          + permissions;
      default -> "";
    };
    return new ConsulException(what + " failed: Consul answered " + r.status() + (body.isEmpty() ? "" : " (" + body + ")")
        + hint);
  }
}
