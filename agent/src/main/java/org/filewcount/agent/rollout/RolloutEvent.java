package org.filewcount.agent.rollout;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.filewcount.agent.split.Json;
import org.filewcount.agent.split.Split;

/**
 * Something a rollout did or decided. Printed (text or one JSON object per line), logged, posted to
 * --notify-url and recorded as span events.
 *
 * @param step 1-based step number, 0 before the first step
 * @param canaryWeight the canary's share at this moment
 * @param checks the verdict's checks, for {@link Type#CHECK}; empty otherwise
 */
public record RolloutEvent(Type type, Instant time, String service, String stable, String canary, int step, int steps,
    BigDecimal canaryWeight, List<CheckResult> checks, String message) {

  public enum Type {
    STARTED("started"), STEP("step"), CHECK("check"), PROMOTED("promoted"), ROLLED_BACK("rolled_back"),
    ABORTED("aborted"), NOMAD("nomad"), PAUSED("paused"), RESUMED("resumed");

    public final String label;

    Type(String label) {
      this.label = label;
    }
  }

  public RolloutEvent {
    checks = List.copyOf(checks);
  }

  public boolean terminal() {
    return type == Type.PROMOTED || type == Type.ROLLED_BACK || type == Type.ABORTED;
  }

  /** A judgement that could not be made yet (metrics or Consul unreadable): not a verdict. */
  public boolean evidenceRetry() {
    return type == Type.CHECK && checks.size() == 1 && checks.get(0).name().equals("evidence");
  }

  public Boolean passed() {
    return type == Type.CHECK ? checks.stream().allMatch(CheckResult::passed) : null;
  }

  /** A human line: "step 2/4: 25% of filewcount to 2.0 (75% stays on 1.0)". */
  public String text() {
    return switch (type) {
      case STEP -> "step " + step + "/" + steps + ": " + canaryWeight.toPlainString() + "% of " + service + " to "
          + canary + " (" + Split.HUNDRED.subtract(canaryWeight).toPlainString() + "% stays on " + stable + "); "
          + message;
      case CHECK -> evidenceRetry() ? "step " + step + "/" + steps + ": evidence " + checks.get(0).detail()
          : "step " + step + "/" + steps + (Boolean.TRUE.equals(passed()) ? " passed: " : " failed: ")
          + new Verdict(checks).summary() + (message.isEmpty() ? "" : "; " + message);
      default -> message;
    };
  }

  public ObjectNode json() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("time", time.toString());
    n.put("event", type.label);
    n.put("service", service);
    n.put("stable", stable);
    n.put("canary", canary);
    n.put("step", step);
    n.put("steps", steps);
    n.put("canary_weight", canaryWeight);
    if (type == Type.CHECK) {
      n.put("passed", passed());
      ArrayNode arr = n.putArray("checks");
      for (CheckResult c : checks) {
        ObjectNode o = arr.addObject();
        o.put("name", c.name());
        o.put("passed", c.passed());
        if (Double.isNaN(c.value()) || Double.isInfinite(c.value())) {
          o.putNull("value");
        } else {
          o.put("value", c.value());
        }
        o.put("threshold", c.threshold());
        o.put("detail", c.detail());
        o.put("query", c.query());
      }
    }
    n.put("message", text());
    return n;
  }
}
