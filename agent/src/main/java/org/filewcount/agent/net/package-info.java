/**
 * Outbound HTTP client construction for the whole agent: {@link org.filewcount.agent.net.HttpClients} is
 * the only main file that builds a {@code java.net.http.HttpClient} (Consul, Nomad, Prometheus, webhooks,
 * the functional probe).
 *
 * <p>May not: know any remote API (paths, payloads, tokens); callers add those. Depends only on
 * {@code config} (for PEM trust).
 */
package org.filewcount.agent.net;
