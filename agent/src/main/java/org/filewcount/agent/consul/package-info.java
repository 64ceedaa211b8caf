/**
 * The one way the agent talks to Consul (ADR 0023).
 *
 * <p>Lives here: {@link org.filewcount.agent.consul.ConsulAgent}, the local agent API on consul-client
 * ({@link org.filewcount.agent.consul.KiwiConsulAgent}); {@link org.filewcount.agent.consul.ConsulHttp},
 * the transport for what consul-client cannot express (config entries, KV, sessions, blocking queries, the
 * Connect sidecar registration); and the one {@link org.filewcount.agent.consul.ConsulException} both throw.
 * Address, token (CONSUL_HTTP_TOKEN / _FILE), CA (CONSUL_CACERT) and timeouts come from
 * {@link org.filewcount.agent.config.ConsulSettings} for both.
 *
 * <p>May not: hold rollout, split or registration logic (those are callers), or put the ACL token anywhere
 * but the {@code X-Consul-Token} header. No file outside this package imports {@code org.kiwiproject.consul}.
 * Depends only on {@code config} and {@code net}.
 */
package org.filewcount.agent.consul;
