package org.filewcount.agent.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.filewcount.agent.admin.MetricsSource;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.consul.ConsulAgent;
import org.filewcount.agent.consul.KiwiConsulAgent;
import org.filewcount.agent.probe.ProbeFileCleaner;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeLoop;
import org.filewcount.agent.probe.ProbeTracer;
import org.filewcount.agent.registry.RegistrationListener;
import org.filewcount.agent.uploads.UploadsCarry;

/**
 * The parts {@link AgentProcess} runs. {@link AgentRun} fills in the real ones; tests leave out what they
 * do not look at. Everything but the config is optional: the defaults run the agent without proxy, telemetry
 * and split watcher.
 */
final class AgentProcessBuilder {
  final AgentConfig config;
  Optional<MetricsSource> metricsSource = Optional.empty();
  final List<ProbeListener> probeListeners = new ArrayList<>();
  ProbeFileCleaner.Listener probeFilesListener = ProbeFileCleaner.Listener.NONE;
  ProbeTracer probeTracer = ProbeTracer.NONE;
  final List<RegistrationListener> registrationListeners = new ArrayList<>();
  ProxyHook proxy = ProxyHook.NONE;
  Supplier<AutoCloseable> splitWatcher = () -> null;
  final List<AutoCloseable> onStop = new ArrayList<>();
  Function<ConsulSettings, ConsulAgent> consulFactory = KiwiConsulAgent::connect;
  boolean installSignalHandlers = true;
  Duration probeStartupRetry = ProbeLoop.DEFAULT_STARTUP_RETRY;
  Clock clock = Clock.systemUTC();
  Optional<UploadsCarry> uploadsCarry = Optional.empty();

  AgentProcessBuilder(AgentConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Served at /metrics (telemetry's Prometheus reader); without one /metrics answers 404. */
  AgentProcessBuilder metricsSource(MetricsSource source) {
    this.metricsSource = Optional.of(source);
    return this;
  }

  /** Told about every probe (telemetry: filewcount.probe.runs / duration). */
  AgentProcessBuilder probeListener(ProbeListener l) {
    probeListeners.add(Objects.requireNonNull(l));
    return this;
  }

  /** Told about each probe file removed or left (telemetry: filewcount.probe.files.*), with --uploads-dir. */
  AgentProcessBuilder probeFilesListener(ProbeFileCleaner.Listener l) {
    probeFilesListener = Objects.requireNonNull(l);
    return this;
  }

  /** Runs each probe round inside a span (telemetry), so the round's log lines carry its trace id. */
  AgentProcessBuilder probeTracer(ProbeTracer t) {
    this.probeTracer = Objects.requireNonNull(t);
    return this;
  }

  /** Told about every registration state change (telemetry: filewcount.registration.*). */
  AgentProcessBuilder registrationListener(RegistrationListener l) {
    registrationListeners.add(Objects.requireNonNull(l));
    return this;
  }

  /** The in-path proxy: started before the first probe, stopped after deregistration. */
  AgentProcessBuilder proxy(ProxyHook p) {
    this.proxy = Objects.requireNonNull(p);
    return this;
  }

  /** Starts the split watcher once the Consul client is up; closed after the registration loop. */
  AgentProcessBuilder splitWatcher(Supplier<AutoCloseable> start) {
    this.splitWatcher = Objects.requireNonNull(start);
    return this;
  }

  /** Closed last, after everything else (telemetry flushes its exporters here), in the order added. */
  AgentProcessBuilder onStop(AutoCloseable c) {
    onStop.add(Objects.requireNonNull(c));
    return this;
  }

  /** Tests point the agent at a stub Consul through this. */
  AgentProcessBuilder consulFactory(Function<ConsulSettings, ConsulAgent> f) {
    this.consulFactory = Objects.requireNonNull(f);
    return this;
  }

  /** Off in tests that run several agents in one JVM; on in the real process. */
  AgentProcessBuilder installSignalHandlers(boolean v) {
    this.installSignalHandlers = v;
    return this;
  }

  AgentProcessBuilder probeStartupRetry(Duration d) {
    this.probeStartupRetry = Objects.requireNonNull(d);
    return this;
  }

  AgentProcessBuilder clock(Clock c) {
    this.clock = Objects.requireNonNull(c);
    return this;
  }

  /** Inside Nomad: copies this instance's uploads from the allocation(s) of its name (ADR 0017). */
  AgentProcessBuilder uploadsCarry(Optional<UploadsCarry> c) {
    this.uploadsCarry = Objects.requireNonNull(c);
    return this;
  }

  AgentProcess build() {
    return new AgentProcess(this);
  }
}
