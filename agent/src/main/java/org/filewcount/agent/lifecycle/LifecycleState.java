package org.filewcount.agent.lifecycle;

/** Where the agent process is in its life; see {@link Lifecycle} for the allowed moves. */
enum LifecycleState {
  /** Opening ports, starting the probe; not registered yet. */
  STARTING,
  /** Serving; registered once the first probe passed. */
  RUNNING,
  /** First signal received: in maintenance, still serving for --drain. */
  DRAINING,
  /** Deregistered; no longer accepting, letting in-flight requests finish. */
  STOPPING,
  /** Everything closed; the process exits 0. */
  STOPPED
}
