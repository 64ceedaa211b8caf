package org.filewcount.agent.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

/**
 * The client connection's pipeline, one handler per concern, in the order bytes meet them. The timers
 * sit right after the codec, where they see raw reads; everything after the read-on-demand handler
 * sees one HTTP object per read the forwarding handler asks for.
 */
final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

  private final ProxySettings settings;
  private final ExchangeObserver observer;
  private final UpstreamPool upstreams;
  private final InFlightRequests inFlight;
  private final ChannelGroup connections;

  ClientChannelInitializer(ProxySettings settings, ExchangeObserver observer, UpstreamPool upstreams,
      InFlightRequests inFlight, ChannelGroup connections) {
    this.settings = settings;
    this.connections = connections;
    this.observer = observer;
    this.upstreams = upstreams;
    this.inFlight = inFlight;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    // Tracked so that a drain can tell every open connection to finish up.
    connections.add(ch);
    ChannelPipeline p = ch.pipeline();
    // A client that stops reading its response would pin an app connection forever.
    p.addLast("stalled-reader", new StalledReaderHandler(settings.idleTimeout()));
    p.addLast("codec", new StrictHttpServerCodec(settings));
    p.addLast("idle-timeout", new IdleConnectionHandler(settings.idleTimeout()));
    p.addLast("header-timeout", new RequestHeadTimeoutHandler(settings.headerReadTimeout()));
    p.addLast("body-timeout", new RequestBodyTimeoutHandler(settings.bodyReadTimeout()));
    p.addLast("read-on-demand", new ReadOnDemandHandler());
    p.addLast("keep-alive", new ClientKeepAliveHandler(settings.lingerTimeout()));
    p.addLast("validate", new RequestValidationHandler());
    p.addLast("size-limit", new RequestSizeLimitHandler(settings.maxRequestBodyBytes()));
    p.addLast("expect-continue", new HttpServerExpectContinueHandler());
    p.addLast("hop-by-hop", HopByHopHeadersHandler.INSTANCE);
    p.addLast("forwarded", new ForwardedHeadersHandler(settings.upstreamAuthority()));
    p.addLast("forward", new ForwardingHandler(observer, upstreams, inFlight));
  }
}
