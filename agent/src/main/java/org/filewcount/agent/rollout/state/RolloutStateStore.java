package org.filewcount.agent.rollout.state;

import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.rollout.RolloutCommands;

/**
 * The rollout state of each service in Consul KV, {@code filewcount/rollout/<service>/state}, beside its
 * lock key {@code .../lock}. Every write is check-and-set on the ModifyIndex it was computed from, so a
 * verb from another terminal and the running rollout never overwrite each other; the loser computes its
 * change again from the fresh value.
 */
final class RolloutStateStore {

  static final String PREFIX = RolloutCommands.KV_PREFIX;
  private static final int MAX_ATTEMPTS = 8;

  /** The state and the index a check-and-set write of it must name. */
  public record Versioned(RolloutState state, long modifyIndex) {}

  private final ConsulKv kv;

  public RolloutStateStore(ConsulHttp http) {
    this.kv = new ConsulKv(http);
  }

  static String stateKey(String service) {
    return PREFIX + service + "/state";
  }

  static String lockKey(String service) {
    return PREFIX + service + "/lock";
  }

  public Optional<Versioned> read(String service) {
    return kv.get(stateKey(service)).map(e -> new Versioned(RolloutState.fromJson(e.value()), e.modifyIndex()));
  }

  /** The lock key as it is: who holds it (Session "" = nobody) and its last holder's description. */
  Optional<ConsulKv.Entry> lock(String service) {
    return kv.get(lockKey(service));
  }

  /** Blocks until the state changes after {@code index} or {@code wait} passes; returns the X-Consul-Index too. */
  ConsulKv.Read await(String service, long index, Duration wait) {
    return kv.await(stateKey(service), index, wait);
  }

  /** Writes {@code state} if the key is still at {@code cas} (0 = absent). @return false if it changed */
  public boolean write(RolloutState state, long cas) {
    return kv.putCas(stateKey(state.service()), state.toJson(), cas);
  }

  /**
   * Read-modify-write until the check-and-set wins. {@code change} sees the fresh state and returns the next
   * one (or the same object to write nothing). @return the state written, or empty when there is none
   */
  public Optional<RolloutState> update(String service, UnaryOperator<RolloutState> change) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<Versioned> current = read(service);
      if (current.isEmpty()) {
        return Optional.empty();
      }
      RolloutState next = change.apply(current.get().state());
      if (next == current.get().state() || write(next, current.get().modifyIndex())) {
        return Optional.of(next);
      }
    }
    throw new ConsulException("gave up writing " + stateKey(service) + " after " + MAX_ATTEMPTS
        + " check-and-set conflicts: something keeps changing it");
  }
}
