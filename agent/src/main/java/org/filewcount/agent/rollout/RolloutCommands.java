package org.filewcount.agent.rollout;


/**
 * The exact command lines people are told to run, in one place so every message (paused gates,
 * orphans, refusals) names the same ones.
 */
public final class RolloutCommands {

  public static final String LAUNCHER = "filewcount-agent";

  /**
   * Where each rollout keeps its state and lock in Consul KV ({@code <prefix><service>/state}, {@code /lock});
   * here because messages name it for the ACL, and the engine does not depend on the KV store.
   */
  public static final String KV_PREFIX = "filewcount/rollout/";

  private RolloutCommands() {}

  public static String verb(String verb, String service) {
    return LAUNCHER + " rollout " + verb + " --service " + service;
  }

  /** What someone at any terminal that reaches Consul can do with a paused rollout. */
  public static String whatNext(String service) {
    return "To continue run '" + verb("resume", service) + "'; to go to 100% now '" + verb("promote", service)
        + "'; to restore stable '" + verb("abort", service) + "' (any terminal that reaches this Consul, with"
        + " write access to its KV prefix " + KV_PREFIX + ")";
  }
}
