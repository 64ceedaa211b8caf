/**
 * Traffic between versions: the split model and its Consul config entries, and the canary rollout built on
 * it (ADR 0010, 0011, 0018, 0022).
 *
 * <p>Lives here: the split ({@code Split}, {@code TrafficState}, the pure config-entry merges of
 * {@code SplitEntries} and {@code VersionStickiness}, {@code ConsulTrafficControl} for the reads and
 * check-and-set writes around them); the rollout engine ({@code Rollout}, {@code RolloutPlan},
 * {@code CanaryJudge}, {@code EvidenceGathering}, listeners); its state and lock in Consul KV; the adapters
 * to Prometheus, Nomad and webhooks behind {@code VersionMetrics}, {@code NomadDeployments} and
 * {@code RolloutListener}.
 *
 * <p>May not: build HTTP clients (use {@code net.HttpClients}), reach Consul except through
 * {@code consul.ConsulHttp}, parse command lines or pick exit codes (the CLI does), or wait except through
 * an injected {@code Sleeper}.
 */
package org.filewcount.agent.traffic;
