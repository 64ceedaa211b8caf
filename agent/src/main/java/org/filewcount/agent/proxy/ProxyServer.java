package org.filewcount.agent.proxy;

import org.filewcount.agent.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-path HTTP/1.1 reverse proxy: listens on {@code --listen}, forwards to {@code --app-url}, and
 * shows every exchange to an {@link ExchangeObserver}. Lifecycle: {@link #start}, then on shutdown
 * {@link #stopAccepting()}, {@link #awaitInFlight(Duration)}, {@link #close()}.
 */
final class ProxyServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

  private final ProxySettings settings;
  private final EventLoopGroup group;
  private final UpstreamPool upstreams;
  private final InFlight inFlight = new InFlight();
  private final ChannelGroup connections = new DefaultChannelGroup("proxy-clients", GlobalEventExecutor.INSTANCE);
  private final Channel listener;

  private ProxyServer(ProxySettings settings, ExchangeObserver observer) {
    this.settings = settings;
    Transport transport = Transport.best();
    this.group = transport.newGroup(settings.ioThreads(), "proxy-io");
    this.upstreams = new UpstreamPool(settings, transport);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // Every read is asked for: that is how a slow app slows the client down instead of filling memory.
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ClientPipeline(settings, observer, upstreams, inFlight, connections));
    ChannelFuture bound = bootstrap.bind(settings.listen().host(), settings.listen().port()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutdownGroup();
      throw new ProxyStartException("cannot listen on " + settings.listen() + ": " + bound.cause().getMessage()
          + " (is another process using the port? choose another --listen)", bound.cause());
    }
    this.listener = bound.channel();
    log.info("proxy listening on {} ({}), forwarding to {}", listener.localAddress(), transport.name(),
        settings.upstream());
  }

  /** Binds {@code settings.listen()} and starts serving; throws {@link ProxyStartException} if it cannot bind. */
  public static ProxyServer start(ProxySettings settings, ExchangeObserver observer) {
    return new ProxyServer(Objects.requireNonNull(settings), Objects.requireNonNull(observer));
  }

  /** The bound address (useful when listening on port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) listener.localAddress();
  }

  /** Requests whose head has arrived and whose response has not been fully written yet. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Stops accepting connections. Idle keep-alive connections are closed now; busy ones answer their
   * current request with {@code Connection: close} and close after it, so clients reconnect elsewhere.
   */
  public void stopAccepting() {
    if (listener.isOpen()) {
      listener.close().awaitUninterruptibly();
      log.info("proxy stopped accepting connections; {} requests in flight", inFlight());
    }
    for (Channel c : connections) {
      c.pipeline().fireUserEventTriggered(ClientPipeline.DRAIN);
    }
  }

  /** Waits until no request is in flight; true if that happened within {@code timeout}. */
  public boolean awaitInFlight(Duration timeout) throws InterruptedException {
    return inFlight.awaitZero(timeout);
  }

  /** Closes the listener and every connection (cutting what is still in flight) and stops the I/O threads. */
  @Override
  public void close() {
    listener.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    upstreams.close();
    shutdownGroup();
  }

  private void shutdownGroup() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  ProxySettings settings() {
    return settings;
  }
}
