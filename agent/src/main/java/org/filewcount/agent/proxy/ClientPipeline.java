package org.filewcount.agent.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import org.filewcount.agent.proxy.http.StrictHttpServerCodec;

/**
 * The client connection's pipeline, the only place that builds one: the strict HTTP codec, then the
 * {@link ClientConnection}, which does everything else in code order rather than handler order
 * (checks, limits, headers, keep-alive, timers, forwarding). Two handlers per connection, so each
 * message crosses the pipeline once.
 */
final class ClientPipeline extends ChannelInitializer<Channel> {

  /** Fired into every client connection when the server stops accepting: finish up and close. */
  static final Object DRAIN = new Object() {
    @Override
    public String toString() {
      return "DRAIN";
    }
  };

  private final ProxySettings settings;
  private final ExchangeObserver observer;
  private final UpstreamConnections upstreams;
  private final InFlight inFlight;
  private final ChannelGroup connections;

  ClientPipeline(ProxySettings settings, ExchangeObserver observer, UpstreamConnections upstreams, InFlight inFlight,
      ChannelGroup connections) {
    this.settings = settings;
    this.observer = observer;
    this.upstreams = upstreams;
    this.inFlight = inFlight;
    this.connections = connections;
  }

  @Override
  protected void initChannel(Channel ch) {
    // Tracked so that a drain can tell every open connection to finish up.
    connections.add(ch);
    ch.pipeline()
        .addLast("codec", new StrictHttpServerCodec(settings))
        .addLast("connection", new ClientConnection(settings, observer, upstreams, inFlight));
  }
}
