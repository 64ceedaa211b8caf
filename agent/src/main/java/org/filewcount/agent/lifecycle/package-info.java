/**
 * The running agent ({@code run}, ADR 0002): {@code AgentRun}, its one composition root, picks the real
 * parts (telemetry, proxy, split watcher, uploads carry, the Consul client by default) and hands them,
 * unstarted, to {@code AgentProcess}, which starts and stops them all in the one order its class comment and
 * docs/agent.md ("Lifecycle", "Composition roots") give, walking the states of {@code LifecycleState}
 * through the allowed moves of {@code Lifecycle}. {@code ProxyHook} is how it starts and stops the proxy;
 * {@code SignalHandlers} makes SIGTERM/SIGINT start the drain on the main thread instead of running shutdown
 * hooks.
 *
 * <p>May not: be wired from anywhere else (the CLI only parses flags into an {@code AgentConfig} and calls
 * {@code AgentRun.run}), start a part it does not stop, or hold the logic of the parts it runs: probing,
 * registration, proxying, telemetry and the split watch live in their own packages. Nothing but {@code cli}
 * imports it.
 */
package org.filewcount.agent.lifecycle;
