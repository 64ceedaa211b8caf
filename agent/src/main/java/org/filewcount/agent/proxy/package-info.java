/**
 * The in-path HTTP/1.1 reverse proxy. Public: {@link org.filewcount.agent.proxy.ProxyServer} and its
 * lifecycle hook, {@link org.filewcount.agent.proxy.ProxySettings}, and the
 * {@link org.filewcount.agent.proxy.ExchangeObserver} seam telemetry plugs into.
 *
 * <p>Inside: each client connection is a two-handler pipeline (codec, {@code ClientConnection}),
 * built only by {@code ClientPipeline}; each request is a {@code ProxiedExchange} moving through the
 * phases of {@code Phase}; one {@code ClientTimer} per connection drives every client timeout; the
 * keep-alive decision is made once per response ({@code KeepAlive}). HTTP rules live in
 * {@code proxy.http}, app connections in {@code proxy.upstream}, the per-connection timer in
 * {@code proxy.timing}. docs/adr/0004-in-path-proxy.md has the reasoning.
 */
package org.filewcount.agent.proxy;
