package org.filewcount.agent.lifecycle;

import java.time.Duration;

/**
 * How {@link AgentProcess} starts and stops the in-path proxy: {@link AgentRun} adapts
 * {@code proxy.ProxyServerHook} to it, tests record the calls, {@link #NONE} leaves the request path to the app.
 */
interface ProxyHook {

  /** Binds --listen and starts serving; throws when the port cannot be bound. */
  void start() throws Exception;

  /**
   * Stops accepting new connections, lets in-flight exchanges finish for at most {@code grace},
   * then closes what is left.
   *
   * @return how many exchanges were still open when the grace period ran out (0 = clean)
   */
  int stop(Duration grace);

  ProxyHook NONE = new ProxyHook() {
    @Override
    public void start() {}

    @Override
    public int stop(Duration grace) {
      return 0;
    }

    @Override
    public String toString() {
      return "no proxy";
    }
  };
}
