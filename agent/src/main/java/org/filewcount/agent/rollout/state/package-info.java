/**
 * A rollout's state and lock in Consul KV, so any terminal can see and steer it (ADR 0022). Two public
 * entries: {@code RolloutSession}, one {@code rollout --to} under the lock (lock, orphan refusal or resume,
 * initial state, steering, release, in that order), and {@code RolloutVerbs}. Inside:
 * {@code RolloutStateStore} keeps each service's {@code RolloutState} at
 * {@code filewcount/rollout/<service>/state}, every write check-and-set; {@code RolloutLock} is the session
 * lock on {@code .../lock} that allows one rollout per service; {@code ConsulSteering} is the running
 * rollout's side (it records every event, follows the key with blocking queries, ends the current wait when
 * a request arrives or the lock is lost: the engine's {@code Steering}, {@code RolloutListener} and
 * {@code Sleeper}); {@code RolloutVerbs} is {@code rollout status|pause|resume|promote|abort} from any
 * terminal, ending an orphaned rollout itself ({@code OrphanEnd}). {@code ConsulKv} and
 * {@code ConsulSessions} are the KV and session calls, over {@code consul.ConsulHttp}.
 *
 * <p>May not: reach Consul other than through {@code consul.ConsulHttp}, write the state key without
 * check-and-set, or claim an end that did not happen (an orphan's split is written before its end is
 * recorded). The engine never imports this package; this package imports only {@code config},
 * {@code consul}, {@code rollout} (the ports and values), the {@code VersionMetrics} port of
 * {@code rollout.metrics} (to hand it to the engine) and {@code split}.
 */
package org.filewcount.agent.rollout.state;
