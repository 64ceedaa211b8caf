/**
 * The agent's network plumbing, with no knowledge of any remote API: {@link org.filewcount.agent.net.HttpClients}
 * is the only main file that builds a {@code java.net.http.HttpClient} (Consul, Nomad, Prometheus, webhooks,
 * the functional probe), and {@link org.filewcount.agent.net.Transport} picks the proxy's Netty transport
 * (native epoll on Linux, NIO otherwise).
 *
 * <p>May not: know any remote API (paths, payloads, tokens); callers add those. Depends only on
 * {@code config} (for PEM trust).
 */
package org.filewcount.agent.net;
