package org.filewcount.agent.probe;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one probe round inside the context telemetry wants current (a span), so that the probe, the
 * loop's log line about it and the listeners it notifies all run under it, and the lines they log on
 * this thread carry its trace id (work a listener hands to another thread does not).
 */
@FunctionalInterface
public interface ProbeTracer {

  /** No span: the round runs as it is. */
  ProbeTracer NONE = (probe, then) -> then.accept(probe.get());

  /** Runs {@code probe}, then {@code then} with its result, both inside the same context. */
  void round(Supplier<ProbeResult> probe, Consumer<ProbeResult> then);
}
