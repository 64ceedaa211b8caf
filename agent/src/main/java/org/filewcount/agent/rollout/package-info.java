/**
 * The canary rollout, built on {@code split} (ADR 0011, 0022): the engine ({@code Rollout},
 * {@code RolloutPlan}, {@code RolloutStart}, {@code CanaryJudge}, {@code EvidenceGathering}), its events and
 * listeners, its state and lock in Consul KV ({@code RolloutStateStore}, {@code RolloutLock},
 * {@code ConsulSteering}, {@code RolloutVerbs}), and the adapters to Prometheus, Nomad and webhooks behind
 * {@code VersionMetrics}, {@code NomadDeployments} and {@code RolloutListener}.
 *
 * <p>May not: build HTTP clients (use {@code net.HttpClients}), reach Consul except through
 * {@code consul.ConsulHttp}, parse command lines or pick exit codes (the CLI does), or wait except through
 * an injected {@code Sleeper}.
 */
package org.filewcount.agent.rollout;

