/**
 * The in-path HTTP/1.1 reverse proxy. Public: {@link org.filewcount.agent.proxy.ProxyServerHook}, which
 * the agent's lifecycle starts and stops (the {@code ProxyServer} behind it is package-private),
 * {@link org.filewcount.agent.proxy.ProxySettings}, and the {@link org.filewcount.agent.proxy.ExchangeObserver}
 * seam telemetry plugs into. {@code ProxyStartException} (the listen address is taken or invalid) is
 * package-private: nothing outside catches it; it ends the run as a failure with its message.
 *
 * <p>Inside: each client connection is a two-handler pipeline (codec, {@code ClientConnection}),
 * built only by {@code ClientPipeline}; each request is a {@code ProxiedExchange} moving through the
 * phases of {@code Phase}; one {@code ClientTimer} per connection drives every client timeout; the
 * keep-alive decision is made once per response ({@code KeepAlive}). Connections to the app
 * are here too: a bounded keep-alive pool per event loop ({@code UpstreamPool}) and one
 * {@code UpstreamHandler} per app connection, which relays the response to the exchange that borrowed it.
 * Every timeout of a connection, client or app side, is a deadline one {@code ConnectionTimer} checks.
 * HTTP rules (framing, hop-by-hop and forwarded headers, request checks, refusals) live in
 * {@code proxy.http}. docs/adr/0004-in-path-proxy.md has the reasoning.
 */
package org.filewcount.agent.proxy;
