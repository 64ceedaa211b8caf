package org.filewcount.agent.proxy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.filewcount.agent.lifecycle.ProxyHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugs the proxy into {@code run}'s lifecycle: started before the first probe, and on shutdown
 * (after deregistration) stops accepting, lets in-flight requests finish within the grace period,
 * and closes what is left.
 */
public final class ProxyServerHook implements ProxyHook {

  private static final Logger log = LoggerFactory.getLogger(ProxyServerHook.class);

  private final ProxySettings settings;
  private final ExchangeObserver observer;
  private volatile ProxyServer server;

  public ProxyServerHook(ProxySettings settings, ExchangeObserver observer) {
    this.settings = Objects.requireNonNull(settings);
    this.observer = Objects.requireNonNull(observer);
  }

  @Override
  public void start() {
    server = ProxyServer.start(settings, observer);
  }

  @Override
  public int stop(Duration grace) {
    ProxyServer s = server;
    if (s == null) {
      return 0;
    }
    s.stopAccepting();
    try {
      if (!s.awaitInFlight(grace)) {
        log.warn("{} requests still in flight after {} ms; closing their connections", s.inFlight(),
            grace.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = s.inFlight();
    s.close();
    return left;
  }

  /** The running server, once started (for status and tests). */
  public Optional<ProxyServer> server() {
    return Optional.ofNullable(server);
  }

  @Override
  public String toString() {
    return "proxy " + settings.listen() + " -> " + settings.upstream();
  }
}
