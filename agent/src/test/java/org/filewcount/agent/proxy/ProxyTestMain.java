package org.filewcount.agent.proxy;

import java.net.URI;
import org.filewcount.agent.config.HostPort;

/**
 * Runs the proxy alone in a JVM of its own, for tests that measure it from outside (memory under a
 * small heap). Prints {@code LISTENING <port>} once bound and exits when its standard input closes,
 * so it never outlives the test that started it.
 */
public final class ProxyTestMain {

  private ProxyTestMain() {}

  public static void main(String[] args) throws Exception {
    ProxySettings settings = ProxySettings.builder(new HostPort("127.0.0.1", 0), URI.create(args[0])).build();
    try (ProxyServer proxy = ProxyServer.start(settings, ExchangeObserver.NOOP)) {
      System.out.println("LISTENING " + proxy.localAddress().getPort());
      System.out.flush();
      while (System.in.read() != -1) {
        // wait for the parent to close our input
      }
    }
  }
}
