package org.filewcount.agent.proxy;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.HostPort;

/**
 * Limits and timeouts of the in-path proxy. The defaults are chosen for a sidecar that sits between
 * Envoy (or clients on a VM) and the filewcount app on loopback; each one says why next to it, and
 * docs/adr/0004-in-path-proxy.md has the reasoning in full.
 *
 * @param listen where the proxy accepts client connections ({@code --listen})
 * @param upstream the app ({@code --app-url}): plain {@code http://host[:port]}, no path, as
 *     {@code AgentConfig} checks it
 * @param maxRequestBodyBytes the app's own upload limit: bigger bodies never reach it
 * @param maxRequestLineBytes longest request line accepted (414 beyond)
 * @param maxRequestHeaderBytes all request header lines together (431 beyond)
 * @param headerReadTimeout from the first byte of a request to its last header line (408 beyond)
 * @param bodyReadTimeout longest pause between two pieces of a request body while the proxy wants more (408)
 * @param idleTimeout how long a client connection may sit between requests, and how long a client may
 *     leave its response unread (outbound buffer full), before the connection is closed
 * @param upstreamConnectTimeout connecting to the app (502 beyond)
 * @param upstreamResponseTimeout longest silence from the app while the proxy waits for it (504 beyond)
 * @param upstreamIdleTimeout pooled app connections unused this long are closed
 * @param upstreamMaxConnections bound of the app connection pool, across all I/O threads
 * @param upstreamAcquireTimeout how long a request may wait for a free pooled connection (503 beyond)
 * @param lingerTimeout after an early answer (413, 400) the rest of the upload is read and dropped this long,
 *     so the client sees the answer instead of a reset
 * @param ioThreads event loop threads
 */
public record ProxySettings(
    HostPort listen,
    URI upstream,
    long maxRequestBodyBytes,
    int maxRequestLineBytes,
    int maxRequestHeaderBytes,
    Duration headerReadTimeout,
    Duration bodyReadTimeout,
    Duration idleTimeout,
    Duration upstreamConnectTimeout,
    Duration upstreamResponseTimeout,
    Duration upstreamIdleTimeout,
    int upstreamMaxConnections,
    Duration upstreamAcquireTimeout,
    Duration lingerTimeout,
    int ioThreads) {

  /** The app's limit (nginx {@code client_max_body_size 10m} in the image): see the contract. */
  public static final long APP_MAX_BODY_BYTES = 10L * 1024 * 1024;

  public ProxySettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(upstream, "upstream");
    positive("maxRequestBodyBytes", maxRequestBodyBytes);
    positive("maxRequestLineBytes", maxRequestLineBytes);
    positive("maxRequestHeaderBytes", maxRequestHeaderBytes);
    positive("upstreamMaxConnections", upstreamMaxConnections);
    positive("ioThreads", ioThreads);
    positive("headerReadTimeout", headerReadTimeout);
    positive("bodyReadTimeout", bodyReadTimeout);
    positive("idleTimeout", idleTimeout);
    positive("upstreamConnectTimeout", upstreamConnectTimeout);
    positive("upstreamResponseTimeout", upstreamResponseTimeout);
    positive("upstreamIdleTimeout", upstreamIdleTimeout);
    positive("upstreamAcquireTimeout", upstreamAcquireTimeout);
    positive("lingerTimeout", lingerTimeout);
  }

  /** Port of the app, 80 when the URL has none. */
  public int upstreamPort() {
    return upstream.getPort() > 0 ? upstream.getPort() : 80;
  }

  /** {@code host:port} of the app, for a Host header when the client sent none. */
  public String upstreamAuthority() {
    String host = upstream.getHost();
    return upstream.getPort() > 0 ? host + ":" + upstream.getPort() : host;
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("proxy setting " + name + " must be more than zero, got " + value);
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("proxy setting " + name + " must be more than zero, got " + value);
    }
  }

  /** What {@code run} uses: its --listen and --app-url with the defaults below. */
  public static ProxySettings forAgent(AgentConfig config) {
    return builder(config.listen(), config.appUrl()).build();
  }

  public static Builder builder(HostPort listen, URI upstream) {
    return new Builder(listen, upstream);
  }

  /** Defaults for everything but the two addresses; tests and the lifecycle override what they need. */
  public static final class Builder {
    private final HostPort listen;
    private final URI upstream;
    private long maxRequestBodyBytes = APP_MAX_BODY_BYTES;
    // nginx's large_client_header_buffers (4 x 8k): what the app's own front accepts.
    private int maxRequestLineBytes = 8 * 1024;
    private int maxRequestHeaderBytes = 32 * 1024;
    // Long enough for a slow mobile client to send a few hundred bytes of headers, short enough that
    // slow-header (slowloris) connections are shed quickly: nginx's 60s lets them pile up.
    private Duration headerReadTimeout = Duration.ofSeconds(10);
    // A body that pauses this long while the proxy wants more is abandoned; the app's nginx gives 60s.
    private Duration bodyReadTimeout = Duration.ofSeconds(30);
    // Longer than the mesh sidecar usually keeps an unused connection to its local app, so it is the
    // client, not us, that closes idle keep-alive connections (no race between a close and a new request).
    private Duration idleTimeout = Duration.ofSeconds(75);
    // The app is on loopback in the same network namespace: a connect that takes longer is not coming.
    private Duration upstreamConnectTimeout = Duration.ofSeconds(2);
    // Counting words in a 10 MiB upload takes well under this; Envoy's default route timeout (15s) fires first
    // in the mesh, so this is the backstop for direct (VM) clients.
    private Duration upstreamResponseTimeout = Duration.ofSeconds(30);
    // Below nginx's keepalive_timeout (65-75s) so the pool closes idle connections before the app does.
    private Duration upstreamIdleTimeout = Duration.ofSeconds(30);
    // uwsgi has a handful of workers; more connections only queue inside the app's nginx.
    private int upstreamMaxConnections = 64;
    private Duration upstreamAcquireTimeout = Duration.ofSeconds(10);
    private Duration lingerTimeout = Duration.ofSeconds(2);
    private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());

    private Builder(HostPort listen, URI upstream) {
      this.listen = listen;
      this.upstream = upstream;
    }

    public Builder maxRequestBodyBytes(long v) { this.maxRequestBodyBytes = v; return this; }
    public Builder maxRequestLineBytes(int v) { this.maxRequestLineBytes = v; return this; }
    public Builder maxRequestHeaderBytes(int v) { this.maxRequestHeaderBytes = v; return this; }
    public Builder headerReadTimeout(Duration v) { this.headerReadTimeout = v; return this; }
    public Builder bodyReadTimeout(Duration v) { this.bodyReadTimeout = v; return this; }
    public Builder idleTimeout(Duration v) { this.idleTimeout = v; return this; }
    public Builder upstreamConnectTimeout(Duration v) { this.upstreamConnectTimeout = v; return this; }
    public Builder upstreamResponseTimeout(Duration v) { this.upstreamResponseTimeout = v; return this; }
    public Builder upstreamIdleTimeout(Duration v) { this.upstreamIdleTimeout = v; return this; }
    public Builder upstreamMaxConnections(int v) { this.upstreamMaxConnections = v; return this; }
    public Builder upstreamAcquireTimeout(Duration v) { this.upstreamAcquireTimeout = v; return this; }
    public Builder lingerTimeout(Duration v) { this.lingerTimeout = v; return this; }
    public Builder ioThreads(int v) { this.ioThreads = v; return this; }

    public ProxySettings build() {
      return new ProxySettings(listen, upstream, maxRequestBodyBytes, maxRequestLineBytes, maxRequestHeaderBytes,
          headerReadTimeout, bodyReadTimeout, idleTimeout, upstreamConnectTimeout, upstreamResponseTimeout,
          upstreamIdleTimeout, upstreamMaxConnections, upstreamAcquireTimeout, lingerTimeout, ioThreads);
    }
  }
}
