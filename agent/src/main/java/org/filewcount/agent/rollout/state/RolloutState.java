package org.filewcount.agent.rollout.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.rollout.OperatorRequest;
import org.filewcount.agent.split.Json;

/**
 * A rollout's plan and progress as kept in its Consul KV key, so any terminal can see and steer it and a
 * new process can pick it up after the old one died. Written only with check-and-set.
 *
 * @param steps as --steps takes them, gates included ({@code 10,pause,50,100})
 * @param step the current step, 1-based; 0 before the first
 * @param session the Consul session of the process running it; when that session no longer holds the
 *     lock and the phase is not final, the rollout is orphaned
 * @param holder who runs it (user@host pid N)
 * @param lastVerdict the latest judgement or decision, as printed
 * @param deployment the Nomad deployment the rollout manages (--nomad), if any
 * @param request an operator's request the running process has not handled yet
 */
record RolloutState(String service, String stable, String canary, String steps, String interval, int step,
    BigDecimal canaryWeight, Phase phase, String session, String holder, Instant startedAt, Instant updatedAt,
    String lastVerdict, Optional<String> deployment, Optional<OperatorRequest> request) {

  /** Where a rollout is; the allowed moves are in {@link #canMoveTo}. */
  public enum Phase {
    RUNNING, PAUSED, PROMOTED, ROLLED_BACK, ABORTED;

    public boolean terminal() {
      return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
    }

    /** RUNNING and PAUSED alternate; either may end; an ended rollout stays ended. */
    public boolean canMoveTo(Phase next) {
      if (terminal()) {
        return next == this;
      }
      return Set.of(values()).contains(next);
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RolloutState {
    lastVerdict = lastVerdict == null ? "" : lastVerdict;
  }

  public RolloutState withPhase(Phase next) {
    if (!phase.canMoveTo(next)) {
      throw new IllegalStateException("a rollout that is " + phase.label() + " cannot become " + next.label());
    }
    return new RolloutState(service, stable, canary, steps, interval, step, canaryWeight, next, session, holder,
        startedAt, updatedAt, lastVerdict, deployment, request);
  }

  public RolloutState withProgress(int newStep, BigDecimal weight, String verdict, Instant at) {
    return new RolloutState(service, stable, canary, steps, interval, newStep, weight, phase, session, holder,
        startedAt, at, verdict, deployment, request);
  }

  public RolloutState withRequest(Optional<OperatorRequest> r) {
    return new RolloutState(service, stable, canary, steps, interval, step, canaryWeight, phase, session, holder,
        startedAt, updatedAt, lastVerdict, deployment, r);
  }

  /** Taken over by another process (--resume): its session and name. */
  public RolloutState withHolder(String newSession, String newHolder) {
    return new RolloutState(service, stable, canary, steps, interval, step, canaryWeight, phase, newSession, newHolder,
        startedAt, updatedAt, lastVerdict, deployment, request);
  }

  public String toJson() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("service", service);
    n.put("stable", stable);
    n.put("canary", canary);
    n.put("steps", steps);
    n.put("interval", interval);
    n.put("step", step);
    n.put("canary_weight", canaryWeight);
    n.put("phase", phase.label());
    n.put("session", session);
    n.put("holder", holder);
    n.put("started_at", startedAt.toString());
    n.put("updated_at", updatedAt.toString());
    n.put("last_verdict", lastVerdict);
    deployment.ifPresent(d -> n.put("nomad_deployment", d));
    request.ifPresent(r -> {
      ObjectNode o = n.putObject("request");
      o.put("action", r.action().verb());
      o.put("by", r.by());
      o.put("at", r.at().toString());
      o.put("id", r.id());
      o.put("nomad", r.nomad());
    });
    return Json.write(n);
  }

  /** @throws ConsulException when the key holds something else (someone wrote it by hand) */
  public static RolloutState fromJson(String text) {
    try {
      JsonNode n = Json.parse(text);
      Optional<OperatorRequest> request = Optional.empty();
      JsonNode r = n.path("request");
      if (r.isObject()) {
        request = Optional.of(new OperatorRequest(OperatorRequest.Action.ofVerb(r.path("action").asText()),
            r.path("by").asText(), Instant.parse(r.path("at").asText()), r.path("id").asText(),
            r.path("nomad").asBoolean(false)));
      }
      return new RolloutState(text(n, "service"), text(n, "stable"), text(n, "canary"), text(n, "steps"),
          text(n, "interval"), n.path("step").asInt(), n.path("canary_weight").decimalValue(),
          Phase.valueOf(text(n, "phase").toUpperCase(Locale.ROOT)), n.path("session").asText(""),
          n.path("holder").asText(""), Instant.parse(text(n, "started_at")), Instant.parse(text(n, "updated_at")),
          n.path("last_verdict").asText(""), Optional.ofNullable(n.path("nomad_deployment").textValue()), request);
    } catch (RuntimeException e) {
      throw new ConsulException("the rollout state in Consul is not one the agent wrote (" + e.getMessage() + "):"
          + " inspect it with consul kv get, and delete it with consul kv delete if it is stale");
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("no " + field);
    }
    return v.asText();
  }
}
