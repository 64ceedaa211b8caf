package org.filewcount.agent.proxy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy as {@code run}'s lifecycle drives it: started before the first probe, and on shutdown
 * (after deregistration) stops accepting, lets in-flight requests finish within the grace period,
 * and closes what is left.
 */
public final class ProxyServerHook {

  private static final Logger log = LoggerFactory.getLogger(ProxyServerHook.class);

  private final ProxySettings settings;
  private final ExchangeObserver observer;
  private volatile ProxyServer server;

  public ProxyServerHook(ProxySettings settings, ExchangeObserver observer) {
    this.settings = Objects.requireNonNull(settings);
    this.observer = Objects.requireNonNull(observer);
  }

  /**
   * Binds --listen and starts serving; throws a {@code ProxyStartException} (its message names the address
   * and the fix) when the port cannot be bound.
   */
  public void start() {
    server = ProxyServer.start(settings, observer);
  }

  /**
   * Stops accepting, lets in-flight exchanges finish for at most {@code grace}, then closes what is left.
   *
   * @return how many exchanges were still open when the grace period ran out (0 = clean)
   */
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
