package org.filewcount.agent.probe;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the functional probe every {@code interval}, and every {@code startupRetry} until the first
 * pass, so an instance whose app takes a few seconds to start is registered seconds after it
 * works rather than a whole interval later. Logs when the result changes, not on every probe.
 */
public final class ProbeLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProbeLoop.class);

  /** Fast enough to register soon after the app is up; each attempt only costs a refused connect. */
  public static final Duration DEFAULT_STARTUP_RETRY = Duration.ofSeconds(1);

  private final Supplier<ProbeResult> probe;
  private final Duration interval;
  private final Duration startupRetry;
  private final List<ProbeListener> listeners;
  private final ProbeTracer tracer;
  private final ScheduledExecutorService executor;
  private volatile boolean everPassed;
  private Boolean lastPassed;

  public ProbeLoop(Supplier<ProbeResult> probe, Duration interval, Duration startupRetry, List<ProbeListener> listeners) {
    this(probe, interval, startupRetry, listeners, ProbeTracer.NONE);
  }

  public ProbeLoop(Supplier<ProbeResult> probe, Duration interval, Duration startupRetry, List<ProbeListener> listeners,
      ProbeTracer tracer) {
    this.probe = probe;
    this.tracer = java.util.Objects.requireNonNull(tracer, "tracer");
    this.interval = interval;
    this.startupRetry = startupRetry.compareTo(interval) < 0 ? startupRetry : interval;
    this.listeners = List.copyOf(listeners);
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "functional-probe");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    executor.execute(this::runOnce);
  }

  public boolean everPassed() {
    return everPassed;
  }

  private void runOnce() {
    try {
      tracer.round(this::probeOnce, this::handle);
    } catch (RuntimeException e) {
      log.warn("Probe round failed outside the probe itself", e);
    }
    if (executor.isShutdown()) {
      return;
    }
    Duration delay = everPassed ? interval : startupRetry;
    executor.schedule(this::runOnce, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private ProbeResult probeOnce() {
    try {
      return probe.get();
    } catch (RuntimeException e) {
      return new ProbeResult(false, Duration.ZERO, "probe failed: " + e, java.time.Instant.now());
    }
  }

  private void handle(ProbeResult result) {
    if (executor.isShutdown()) {
      return; // stopped mid-probe (shutdown): the result is an interruption, not news about the app
    }
    if (result.passed()) {
      everPassed = true;
    }
    logChange(result);
    for (ProbeListener l : listeners) {
      try {
        l.onProbe(result);
      } catch (RuntimeException e) {
        log.warn("Probe listener {} failed", l, e);
      }
    }
  }

  private void logChange(ProbeResult result) {
    if (lastPassed != null && lastPassed == result.passed()) {
      log.debug("Functional probe {}: {}", result.passed() ? "passed" : "failed", result.detail());
      return;
    }
    if (result.passed()) {
      log.info("Functional probe passed in {} ms; next every {}", result.duration().toMillis(),
          org.filewcount.agent.config.Durations.format(interval));
    } else if (lastPassed == null) {
      log.info("Functional probe failed ({}); retrying every {} ms until the app works", result.detail(),
          startupRetry.toMillis());
    } else {
      log.warn("Functional probe failed: {}; /health/ready now answers 503", result.detail());
    }
    lastPassed = result.passed();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
