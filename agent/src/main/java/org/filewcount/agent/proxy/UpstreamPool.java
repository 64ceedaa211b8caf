package org.filewcount.agent.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.filewcount.agent.proxy.ProxySettings;
import org.filewcount.agent.net.Transport;

/**
 * Keep-alive connections to the app, one bounded Netty {@link FixedChannelPool} per event loop. A
 * client connection only ever borrows from its own loop's pool, so both halves of an exchange run on
 * one thread: no locks, no cross-thread hand-offs, and the observer is always called from that thread.
 * The configured maximum is split evenly between the loops.
 */
final class UpstreamPool implements UpstreamConnections, AutoCloseable {

  private final ProxySettings settings;
  private final Transport transport;
  private final InetSocketAddress address;
  private final int perLoop;
  private final Map<EventLoop, FixedChannelPool> pools = new ConcurrentHashMap<>();

  public UpstreamPool(ProxySettings settings, Transport transport) {
    this.settings = settings;
    this.transport = transport;
    // Resolved once: the app is a fixed local address, and a DNS lookup on an event loop would block it.
    this.address = new InetSocketAddress(settings.upstream().getHost(), settings.upstreamPort());
    this.perLoop = Math.max(1, (settings.upstreamMaxConnections() + settings.ioThreads() - 1) / settings.ioThreads());
  }

  @Override
  public Future<Channel> acquire(EventLoop loop) {
    return pools.computeIfAbsent(loop, this::newPool).acquire();
  }

  @Override
  public void release(Channel channel, boolean reusable) {
    if (!reusable) {
      channel.close();
    }
    FixedChannelPool pool = pools.get(channel.eventLoop());
    if (pool != null) {
      pool.release(channel);
    }
  }

  private FixedChannelPool newPool(EventLoop loop) {
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channel(transport.channel())
        .remoteAddress(address)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.upstreamConnectTimeout().toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        // Reads are asked for only while the client can take more: the response streams with backpressure.
        .option(ChannelOption.AUTO_READ, false);
    // Health-checked when taken (a parked connection the app closed is never lent), not again when
    // given back: release() closes what cannot be reused, and the check on the next acquire drops it.
    return new FixedChannelPool(bootstrap, new Handler(), ChannelHealthChecker.ACTIVE,
        FixedChannelPool.AcquireTimeoutAction.FAIL, settings.upstreamAcquireTimeout().toMillis(), perLoop,
        Integer.MAX_VALUE, false, true);
  }

  @Override
  public void close() {
    // Asynchronous: each pool closes on its own event loop, which may be the caller's.
    pools.values().forEach(FixedChannelPool::closeAsync);
    pools.clear();
  }

  /** Builds each app connection's pipeline and tells it when it is parked. */
  private final class Handler extends AbstractChannelPoolHandler {
    @Override
    public void channelCreated(Channel ch) {
      UpstreamHandler.install(ch.pipeline(), settings);
    }

    @Override
    public void channelReleased(Channel ch) {
      if (ch.isActive()) {
        UpstreamHandler.of(ch).parked();
      }
    }
  }
}
