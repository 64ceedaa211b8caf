/**
 * The traffic split between versions of a service and its Consul config entries (ADR 0010, 0018).
 *
 * <p>Lives here: the model ({@code Split}, {@code TrafficState}, {@code VersionInstances}); the pure
 * config-entry merges ({@code SplitEntries}, {@code VersionStickiness}, {@code Subsets}), each tested beside
 * it on plain JSON; {@code ConsulTrafficControl}, the reads and check-and-set writes around them, waiting
 * between retries only through the injected {@code Sleeper}; and {@code SplitWatcher}, the running agent's
 * blocking query that keeps the {@code filewcount.traffic.weight} gauge current.
 *
 * <p>May not: know about rollouts ({@code rollout} and its sub-packages build on this one, never the
 * reverse), build HTTP clients, or reach Consul other than through {@code consul.ConsulHttp}. Depends only
 * on {@code config} and {@code consul}.
 */
package org.filewcount.agent.split;
