package org.filewcount.agent.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.filewcount.agent.admin.AdminServer;
import org.filewcount.agent.admin.MetricsSource;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.consul.ConsulAgent;
import org.filewcount.agent.consul.KiwiConsulAgent;
import org.filewcount.agent.probe.FunctionalProbe;
import org.filewcount.agent.probe.ProbeFileCleaner;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeLoop;
import org.filewcount.agent.probe.ProbeTracer;
import org.filewcount.agent.probe.Readiness;
import org.filewcount.agent.registry.RegistrationListener;
import org.filewcount.agent.registry.RegistrationLoop;
import org.filewcount.agent.registry.RegistrationPayload;
import org.filewcount.agent.uploads.UploadsCarry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code run} command: wires probe, admin endpoint, proxy, telemetry and Consul registration
 * together and owns the shutdown sequence.
 *
 * <pre>
 * STARTING  admin endpoint up, proxy up, probe every second until it passes
 * RUNNING   registered after the first passing probe; TTL heartbeats; registration watched
 * DRAINING  (first SIGTERM/SIGINT) /health/ready = 503, service and sidecar in maintenance,
 *           still serving for --drain
 * STOPPING  deregistered; proxy stops accepting, in-flight requests get IN_FLIGHT_GRACE
 * STOPPED   exit 0.  A second signal at any point: Runtime.halt(1).
 * </pre>
 *
 * <p>Proxy and telemetry are not compiled in here; they come through {@link Builder}:
 * {@link Builder#proxy}, {@link Builder#metricsSource}, {@link Builder#probeListener},
 * {@link Builder#registrationListener} and {@link Builder#onStop}.
 */
public final class AgentProcess {

  private static final Logger log = LoggerFactory.getLogger(AgentProcess.class);

  /** How long in-flight requests may take to finish after deregistration. */
  static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(10);

  /** Bound on each shutdown call to Consul (a hung Consul must not hold the exit hostage). */
  static final Duration CONSUL_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** A probe that takes longer than this is a failure: the app is too slow to serve. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  private final AgentConfig config;
  private final Optional<MetricsSource> metricsSource;
  private final List<ProbeListener> probeListeners;
  private final ProbeFileCleaner.Listener probeFilesListener;
  private final ProbeTracer probeTracer;
  private final List<RegistrationListener> registrationListeners;
  private final ProxyHook proxy;
  private final List<AutoCloseable> onStop;
  private final Function<ConsulSettings, ConsulAgent> consulFactory;
  private final boolean installSignalHandlers;
  private final Duration probeStartupRetry;
  private final Clock clock;
  private final Optional<Integer> envoyMetricsPort;
  private final Optional<UploadsCarry> uploadsCarry;
  private final Lifecycle lifecycle = new Lifecycle();
  private final Readiness readiness = new Readiness();
  private volatile AdminServer admin;

  private AgentProcess(Builder b) {
    this.config = b.config;
    this.metricsSource = Optional.ofNullable(b.metricsSource);
    this.probeListeners = List.copyOf(b.probeListeners);
    this.probeFilesListener = b.probeFilesListener;
    this.probeTracer = b.probeTracer;
    this.registrationListeners = List.copyOf(b.registrationListeners);
    this.proxy = b.proxy;
    this.onStop = List.copyOf(b.onStop);
    this.consulFactory = b.consulFactory;
    this.installSignalHandlers = b.installSignalHandlers;
    this.probeStartupRetry = b.probeStartupRetry;
    this.clock = b.clock;
    this.envoyMetricsPort = Optional.ofNullable(b.envoyMetricsPort);
    this.uploadsCarry = Optional.ofNullable(b.uploadsCarry);
  }

  public static Builder builder(AgentConfig config) {
    return new Builder(config);
  }

  /** Blocks until the agent has drained and deregistered after a signal; returns the exit code. */
  public int run() throws InterruptedException {
    if (installSignalHandlers) {
      SignalHandlers.install(this::signal);
    }
    log.info("Starting filewcount agent for {} version {} as {} (app {}, listen {}, admin {}, Consul {}{})",
        config.service(), config.serviceVersion(), config.identity().serviceId(), config.appUrl(), config.listen(),
        config.admin(), config.consul().address(), config.mesh().map(m -> ", mesh port " + m.publicPort()).orElse(""));

    // The admin endpoint comes up first: /health/live answers while the rest (Consul client, proxy) loads.
    AdminServer server = new AdminServer(config.admin(), readiness::verdict, metricsSource);
    try {
      server.start();
    } catch (Exception e) {
      log.error("Agent failed: {}", e.getMessage() != null ? e.getMessage() : e.toString());
      lifecycle.moveTo(LifecycleState.STOPPING);
      onStop.forEach(AgentProcess::closeQuietly);
      lifecycle.moveTo(LifecycleState.STOPPED);
      return 1;
    }
    admin = server;
    RegistrationPayload payload = RegistrationPayload.of(config, envoyMetricsPort);
    ConsulAgent consul;
    try {
      consul = consulFactory.apply(config.consul());
    } catch (RuntimeException e) {
      server.close(); // a bad CONSUL_CACERT is a usage error: Main reports it and exits 2
      throw e;
    }
    RegistrationLoop registration = new RegistrationLoop(consul, payload,
        RegistrationLoop.Timing.forHeartbeat(config.checkInterval()), registrationListeners, clock);
    List<ProbeListener> listeners = new ArrayList<>();
    listeners.add(readiness);
    listeners.addAll(probeListeners);
    listeners.add(registration);
    FunctionalProbe probe = new FunctionalProbe(config.appUrl(), PROBE_TIMEOUT, clock);
    ProbeFileCleaner cleaner = config.uploadsDir()
        .map(dir -> new ProbeFileCleaner(dir, probe.content(), FunctionalProbe.EXPECTED, clock, probeFilesListener))
        .orElse(null);
    if (cleaner != null) {
      listeners.add(cleaner);
    }
    ProbeLoop probes = new ProbeLoop(probe::run, config.probeInterval(), probeStartupRetry, listeners, probeTracer);
    try {
      // Before the first probe can pass: readiness waits for the carry's first pass (bounded, ADR 0017).
      uploadsCarry.ifPresent(c -> c.start(readiness));
      proxy.start();
      probes.start();
      moveIfNotStopping(LifecycleState.RUNNING);
      log.info("Admin endpoint on http://{}/health/ready; probing {} every {} until the first pass",
          server.address(), probe.uploadUrl(), Durations.format(probeStartupRetry));

      lifecycle.awaitShutdownRequest();
      drainAndStop(registration, probes);
      return 0;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      log.error("Agent failed: {}", e.getMessage() != null ? e.getMessage() : e.toString());
      moveIfNotStopping(LifecycleState.STOPPING);
      registration.deregister(CONSUL_SHUTDOWN_TIMEOUT);
      return 1;
    } finally {
      probes.close();
      closeQuietly(cleaner);
      uploadsCarry.ifPresent(AgentProcess::closeQuietly);
      registration.close();
      closeQuietly(admin);
      closeQuietly(consul);
      for (AutoCloseable c : onStop) {
        closeQuietly(c);
      }
      if (lifecycle.state() == LifecycleState.STOPPING) {
        lifecycle.moveTo(LifecycleState.STOPPED);
      }
      log.info("Agent stopped");
    }
  }

  /** Asks the agent to drain and stop, as SIGTERM does (tests and embedding use this). */
  public void requestStop() {
    signal("stop request");
  }

  public LifecycleState state() {
    return lifecycle.state();
  }

  /** The admin endpoint's bound address, once started (tests start it on port 0). */
  public Optional<org.filewcount.agent.config.HostPort> adminAddress() {
    AdminServer a = admin;
    return a == null ? Optional.empty() : Optional.of(a.address());
  }

  private void signal(String name) {
    if (lifecycle.onSignal() == Lifecycle.SignalAction.HALT) {
      // stderr directly: logging may be what is stuck.
      System.err.println("filewcount-agent: second " + name + " during shutdown, exiting now without draining");
      Runtime.getRuntime().halt(1);
    }
    log.info("{} received: draining (up to {}) before deregistering; send it again to exit at once", name,
        Durations.format(config.drain()));
  }

  private void drainAndStop(RegistrationLoop registration, ProbeLoop probes) throws InterruptedException {
    lifecycle.moveTo(LifecycleState.DRAINING);
    readiness.draining();
    registration.enterMaintenance(CONSUL_SHUTDOWN_TIMEOUT);
    // Asked after maintenance: a registration that was in flight when the signal came has finished by now.
    if (registration.everRegistered() && !config.drain().isZero()) {
      // Keep serving while Consul's health answers, Envoy's EDS and load balancers catch up.
      Thread.sleep(config.drain().toMillis());
    }
    probes.close();
    registration.deregister(CONSUL_SHUTDOWN_TIMEOUT);
    lifecycle.moveTo(LifecycleState.STOPPING);
    int left = proxy.stop(IN_FLIGHT_GRACE);
    if (left > 0) {
      log.warn("{} requests were still in flight after {} and were cut", left, Durations.format(IN_FLIGHT_GRACE));
    }
  }

  private void moveIfNotStopping(LifecycleState to) {
    if (Lifecycle.allowed(lifecycle.state(), to)) {
      lifecycle.moveTo(to);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.warn("Closing {} failed: {}", c, e.toString());
    }
  }

  /** Everything but the config is optional; defaults run the agent without proxy and telemetry. */
  public static final class Builder {
    private final AgentConfig config;
    private MetricsSource metricsSource;
    private final List<ProbeListener> probeListeners = new ArrayList<>();
    private ProbeFileCleaner.Listener probeFilesListener = ProbeFileCleaner.Listener.NONE;
    private ProbeTracer probeTracer = ProbeTracer.NONE;
    private final List<RegistrationListener> registrationListeners = new ArrayList<>();
    private ProxyHook proxy = ProxyHook.NONE;
    private final List<AutoCloseable> onStop = new ArrayList<>();
    private Function<ConsulSettings, ConsulAgent> consulFactory = KiwiConsulAgent::connect;
    private boolean installSignalHandlers = true;
    private Duration probeStartupRetry = org.filewcount.agent.probe.ProbeLoop.DEFAULT_STARTUP_RETRY;
    private Clock clock = Clock.systemUTC();
    private Integer envoyMetricsPort;
    private UploadsCarry uploadsCarry;

    private Builder(AgentConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Served at /metrics (telemetry's Prometheus reader); without one /metrics answers 404. */
    public Builder metricsSource(MetricsSource source) { this.metricsSource = source; return this; }

    /** Told about every probe (telemetry: filewcount.probe.runs / duration). */
    public Builder probeListener(ProbeListener l) { probeListeners.add(Objects.requireNonNull(l)); return this; }

    /** Told about each probe file removed or left (telemetry: filewcount.probe.files.*), with --uploads-dir. */
    public Builder probeFilesListener(ProbeFileCleaner.Listener l) {
      probeFilesListener = Objects.requireNonNull(l);
      return this;
    }
    /** Runs each probe round inside a span (telemetry), so the round's log lines carry its trace id. */
    public Builder probeTracer(ProbeTracer t) { this.probeTracer = Objects.requireNonNull(t); return this; }

    /** Told about every registration state change (telemetry: filewcount.registration.*). */
    public Builder registrationListener(RegistrationListener l) {
      registrationListeners.add(Objects.requireNonNull(l));
      return this;
    }

    /** The in-path proxy: started before the first probe, stopped after deregistration. */
    public Builder proxy(ProxyHook p) { this.proxy = Objects.requireNonNull(p); return this; }

    /** Closed last, after the proxy (telemetry flushes its exporters here), in the order added. */
    public Builder onStop(AutoCloseable c) { onStop.add(Objects.requireNonNull(c)); return this; }

    /** Tests point the agent at a stub Consul through this. */
    public Builder consulFactory(Function<ConsulSettings, ConsulAgent> f) { this.consulFactory = f; return this; }

    /** Off in tests that run several agents in one JVM; on in the real process. */
    public Builder installSignalHandlers(boolean v) { this.installSignalHandlers = v; return this; }

    public Builder probeStartupRetry(Duration d) { this.probeStartupRetry = d; return this; }

    public Builder clock(Clock c) { this.clock = c; return this; }

    /** Host port of Envoy's Prometheus listener, put in the sidecar's meta for Prometheus (mesh mode). */
    public Builder envoyMetricsPort(Integer port) { this.envoyMetricsPort = port; return this; }

    /** Inside Nomad: copies this instance's uploads from the allocation(s) of its name (ADR 0017). */
    public Builder uploadsCarry(UploadsCarry c) { this.uploadsCarry = c; return this; }

    public AgentProcess build() {
      return new AgentProcess(this);
    }
  }
}
