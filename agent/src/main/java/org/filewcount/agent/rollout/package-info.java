/**
 * The canary rollout engine, built on {@code split} (ADR 0011): {@code Rollout}, the state machine (set the
 * split, wait the interval, judge, go on, hold at a gate or roll back), with {@code RolloutProgress} (where
 * it is and how it ends); what the operator asked for ({@code RolloutPlan}, {@code RolloutSteps},
 * {@code Thresholds}), checked before anything changes ({@code RolloutStart}); the judgement
 * ({@code EvidenceGathering}, the pure {@code CanaryJudge}, {@code Verdict}); its events and how it ended
 * ({@code RolloutEvent}, {@code RolloutResult}, whose outcomes carry the exit code the CLI returns). Its
 * adapters plug in at ports: {@code RolloutListener} ({@code rollout.report}, and {@code rollout.state}
 * recording events), {@code Steering} ({@code rollout.state}, requests from other terminals, ADR 0022),
 * {@code NomadDeployments} ({@code nomad}) and {@code rollout.metrics.VersionMetrics} (Prometheus).
 * {@code AbortSwitch} is Ctrl-C and the real-time {@code Sleeper}.
 *
 * <p>May not: import its adapters ({@code rollout.state}, {@code rollout.report}, {@code nomad},
 * {@code consul}, {@code net}, {@code telemetry}; only the {@code VersionMetrics} port and its values from
 * {@code rollout.metrics}); parse command lines or turn exceptions into exit codes (the CLI does); or wait
 * and read the time except through the injected {@code Sleeper} and {@code Clock}, so a whole rollout runs
 * on a fake clock in tests.
 */
package org.filewcount.agent.rollout;
