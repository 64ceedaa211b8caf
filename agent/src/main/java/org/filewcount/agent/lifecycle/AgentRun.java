package org.filewcount.agent.lifecycle;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.proxy.ProxyServerHook;
import org.filewcount.agent.proxy.ProxySettings;
import org.filewcount.agent.split.SplitWatcher;
import org.filewcount.agent.telemetry.Telemetry;
import org.filewcount.agent.uploads.UploadsCarry;

/**
 * The composition root of {@code run}: the one place that picks the real parts of a running agent
 * (telemetry, proxy, split watcher, uploads carry, Consul client by default) and hands them, unstarted, to
 * {@link AgentProcess}, which starts and stops them all in its one documented order. The CLI parses flags
 * into an {@link AgentConfig} and calls {@link #run}; nothing else wires the agent.
 */
public final class AgentRun {

  private AgentRun() {}

  /**
   * Runs the agent until it has drained and stopped; returns the exit code.
   *
   * @param env the process environment, for what its parts read from it themselves ({@code OTEL_*} for
   *     telemetry, {@code NOMAD_*} for the uploads carry)
   */
  public static int run(AgentConfig config, Map<String, String> env) throws InterruptedException {
    // Read before anything starts: a bad NOMAD_ADDR or token file is a usage error (exit 2).
    Optional<UploadsCarry> carry = UploadsCarry.fromEnvironment(env, config.uploadsDir(), config.uploadsCarryWait());
    Telemetry telemetry = Telemetry.create(config, env);
    AgentProcess process;
    try {
      process = compose(config, carry, telemetry);
    } catch (RuntimeException e) {
      telemetry.close(); // nothing else has started yet
      throw e;
    }
    return process.run();
  }

  private static AgentProcess compose(AgentConfig config, Optional<UploadsCarry> carry, Telemetry telemetry) {
    ProxyServerHook proxy = new ProxyServerHook(ProxySettings.forAgent(config), telemetry.exchangeObserver());
    return AgentProcess.builder(config)
        .metricsSource(telemetry.metricsSource())
        .probeListener(telemetry.probeListener())
        .probeFilesListener(telemetry.probeFilesListener())
        .probeTracer(telemetry.probeTracer())
        .registrationListener(telemetry.registrationListener())
        .proxy(hook(proxy))
        // Every running agent exports the split Consul holds: the CLI that writes it lives too briefly to be scraped.
        .splitWatcher(() -> SplitWatcher.start(config.consul(), config.service(),
            telemetry.trafficWeightsListener()))
        .uploadsCarry(carry.map(c -> c.listener(telemetry.uploadsCarryListener())))
        .onStop(telemetry)
        .build();
  }

  private static ProxyHook hook(ProxyServerHook proxy) {
    return new ProxyHook() {
      @Override
      public void start() {
        proxy.start();
      }

      @Override
      public int stop(Duration grace) {
        return proxy.stop(grace);
      }

      @Override
      public String toString() {
        return proxy.toString();
      }
    };
  }
}
