package org.filewcount.agent.probe;

import java.util.Optional;

/**
 * What /health/ready answers: ready only while the last probe passed and the agent is not
 * draining. Consul's HTTP check reads it, so it must never claim more than the probe proved.
 */
public final class Readiness implements ProbeListener {

  /** The answer and the reason a person reading the check output needs. */
  public record Verdict(boolean ready, String reason) {}

  private volatile ProbeResult last;
  private volatile boolean draining;
  private volatile String held;

  @Override
  public void onProbe(ProbeResult result) {
    last = result;
  }

  public void draining() {
    draining = true;
  }

  /** Not ready, whatever the probe says, until {@link #release}: the uploads carry's first pass (ADR 0017). */
  public void hold(String reason) {
    held = reason;
  }

  public void release() {
    held = null;
  }

  public Optional<ProbeResult> lastProbe() {
    return Optional.ofNullable(last);
  }

  public Verdict verdict() {
    ProbeResult p = last;
    if (draining) {
      return new Verdict(false, "draining: shutting down, no new requests please");
    }
    String h = held;
    if (h != null) {
      return new Verdict(false, h);
    }
    if (p == null) {
      return new Verdict(false, "starting: no functional probe has finished yet");
    }
    if (!p.passed()) {
      return new Verdict(false, "last functional probe failed at " + p.at() + ": " + p.detail());
    }
    return new Verdict(true, "ready: last functional probe passed at " + p.at() + " in " + p.duration().toMillis()
        + " ms");
  }
}
