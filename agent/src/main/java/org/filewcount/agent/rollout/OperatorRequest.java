package org.filewcount.agent.rollout;

import java.time.Instant;
import java.util.Locale;

/**
 * What someone asked a running rollout to do from another terminal ({@code rollout pause|resume|promote|abort}),
 * as recorded in its Consul state. The id tells one request from the next identical one.
 *
 * @param by who asked (user@host), shown in the rollout's output and notifications
 * @param nomad the verb ran with --nomad: promote or fail the Nomad deployment too
 */
public record OperatorRequest(Action action, String by, Instant at, String id, boolean nomad) {

  public enum Action {
    PAUSE, RESUME, PROMOTE, ABORT;

    public String verb() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Action ofVerb(String verb) {
      return valueOf(verb.toUpperCase(Locale.ROOT));
    }
  }

  public String describe() {
    return "'rollout " + action.verb() + "' from " + by;
  }
}
