package org.filewcount.agent.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.filewcount.agent.admin.AdminServer;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.consul.ConsulAgent;
import org.filewcount.agent.probe.FunctionalProbe;
import org.filewcount.agent.probe.ProbeFileCleaner;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeLoop;
import org.filewcount.agent.probe.Readiness;
import org.filewcount.agent.registry.RegistrationLoop;
import org.filewcount.agent.registry.RegistrationPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of {@code run}: starts what {@link AgentRun} composed, walks the states and stops everything
 * in the one order below (docs/agent.md, "Lifecycle", says the same).
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
 * <p>Start order: admin endpoint, Consul client, split watcher, uploads carry, proxy, probes (registration
 * follows the first passing probe). Stop order, after the drain ({@link #drainAndStop}): probes, deregister,
 * proxy (in-flight grace); then closed in {@link #run}'s {@code finally}: probe file cleaner, uploads carry,
 * registration loop, split watcher, admin endpoint, Consul client, and last what {@link AgentProcessBuilder#onStop}
 * holds (telemetry, so it flushes what all the others recorded).
 */
final class AgentProcess {

  private static final Logger log = LoggerFactory.getLogger(AgentProcess.class);

  /** How long in-flight requests may take to finish after deregistration. */
  static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(10);

  /** Bound on each shutdown call to Consul (a hung Consul must not hold the exit hostage). */
  static final Duration CONSUL_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** A probe that takes longer than this is a failure: the app is too slow to serve. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  private final AgentConfig config;
  private final AgentProcessBuilder parts;
  private final Lifecycle lifecycle = new Lifecycle();
  private final Readiness readiness = new Readiness();
  private volatile AdminServer admin;

  AgentProcess(AgentProcessBuilder parts) {
    this.config = parts.config;
    this.parts = parts;
  }

  static AgentProcessBuilder builder(AgentConfig config) {
    return new AgentProcessBuilder(config);
  }

  /** Blocks until the agent has drained and deregistered after a signal; returns the exit code. */
  int run() throws InterruptedException {
    if (parts.installSignalHandlers) {
      SignalHandlers.install(this::signal);
    }
    log.info("Starting filewcount agent for {} version {} as {} (app {}, listen {}, admin {}, Consul {}{})",
        config.service(), config.serviceVersion(), config.identity().serviceId(), config.appUrl(), config.listen(),
        config.admin(), config.consul().address(), config.mesh().map(m -> ", mesh port " + m.publicPort()).orElse(""));

    // The admin endpoint comes up first: /health/live answers while the rest (Consul client, proxy) loads.
    AdminServer server = new AdminServer(config.admin(), readiness::verdict, parts.metricsSource);
    try {
      server.start();
    } catch (Exception e) {
      log.error("Agent failed: {}", e.getMessage() != null ? e.getMessage() : e.toString());
      lifecycle.moveTo(LifecycleState.STOPPING);
      closeInOrder(parts.onStop);
      lifecycle.moveTo(LifecycleState.STOPPED);
      return 1;
    }
    admin = server;
    ConsulAgent consul = null;
    AutoCloseable split;
    try {
      consul = parts.consulFactory.apply(config.consul());
      split = parts.splitWatcher.get();
    } catch (RuntimeException e) {
      // A bad CONSUL_CACERT is a usage error: Main reports it and exits 2, after the same closes as below.
      List<AutoCloseable> started = new ArrayList<>(Arrays.asList(server, consul));
      started.addAll(parts.onStop);
      closeInOrder(started);
      throw e;
    }
    RegistrationLoop registration = new RegistrationLoop(consul, RegistrationPayload.of(config),
        RegistrationLoop.Timing.forHeartbeat(config.checkInterval()), parts.registrationListeners, parts.clock);
    List<ProbeListener> listeners = new ArrayList<>();
    listeners.add(readiness);
    listeners.addAll(parts.probeListeners);
    listeners.add(registration);
    FunctionalProbe probe = new FunctionalProbe(config.appUrl(), PROBE_TIMEOUT, parts.clock);
    ProbeFileCleaner cleaner = config.uploadsDir().map(dir -> new ProbeFileCleaner(dir, probe.content(),
        FunctionalProbe.EXPECTED, parts.clock, parts.probeFilesListener)).orElse(null);
    if (cleaner != null) {
      listeners.add(cleaner);
    }
    ProbeLoop probes = new ProbeLoop(probe::run, config.probeInterval(), parts.probeStartupRetry, listeners,
        parts.probeTracer);
    try {
      // Before the first probe can pass: readiness waits for the carry's first pass (bounded, ADR 0017).
      parts.uploadsCarry.ifPresent(c -> c.start(readiness));
      parts.proxy.start();
      probes.start();
      moveIfNotStopping(LifecycleState.RUNNING);
      log.info("Admin endpoint on http://{}/health/ready; probing {} every {} until the first pass",
          server.address(), probe.uploadUrl(), Durations.format(parts.probeStartupRetry));

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
      // The stop order of the class comment; telemetry (onStop) last.
      List<AutoCloseable> stopOrder = new ArrayList<>(Arrays.asList(probes, cleaner,
          parts.uploadsCarry.orElse(null), registration, split, admin, consul));
      stopOrder.addAll(parts.onStop);
      closeInOrder(stopOrder);
      if (lifecycle.state() == LifecycleState.STOPPING) {
        lifecycle.moveTo(LifecycleState.STOPPED);
      }
      log.info("Agent stopped");
    }
  }

  /** Asks the agent to drain and stop, as SIGTERM does (tests and embedding use this). */
  void requestStop() {
    signal("stop request");
  }

  LifecycleState state() {
    return lifecycle.state();
  }

  /** The admin endpoint's bound address, once started (tests start it on port 0). */
  Optional<HostPort> adminAddress() {
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
    int left = parts.proxy.stop(IN_FLIGHT_GRACE);
    if (left > 0) {
      log.warn("{} requests were still in flight after {} and were cut", left, Durations.format(IN_FLIGHT_GRACE));
    }
  }

  private void moveIfNotStopping(LifecycleState to) {
    if (Lifecycle.allowed(lifecycle.state(), to)) {
      lifecycle.moveTo(to);
    }
  }

  /** Closes each in turn, skipping parts this run never made; one failing close does not stop the rest. */
  private static void closeInOrder(List<AutoCloseable> parts) {
    for (AutoCloseable c : parts) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", c, e.toString());
      }
    }
  }
}
