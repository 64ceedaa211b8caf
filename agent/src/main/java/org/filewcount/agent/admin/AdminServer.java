package org.filewcount.agent.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.probe.Readiness;

/**
 * The agent's own small HTTP endpoint: /health/live, /health/ready, /metrics. One event-loop
 * thread is plenty: Consul's check, Nomad and Prometheus call it a few times a minute. It binds to
 * loopback by default, since nothing here is for the public.
 */
public final class AdminServer implements AutoCloseable {

  /** Requests to the admin endpoint have no body worth more than this. */
  static final int MAX_REQUEST_BYTES = 8 * 1024;

  private final HostPort bindAddress;
  private final Supplier<Readiness.Verdict> readiness;
  private final Optional<MetricsSource> metrics;
  private EventLoopGroup group;
  private Channel channel;

  public AdminServer(HostPort bindAddress, Supplier<Readiness.Verdict> readiness, Optional<MetricsSource> metrics) {
    this.bindAddress = bindAddress;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  /** Binds, or throws with the address in the message (port taken, address not on this host). */
  public void start() throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS))
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast(new AdminHandler(readiness, metrics));
          }
        });
    try {
      channel = b.bind(bindAddress.host(), bindAddress.port()).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("cannot listen on --admin " + bindAddress + ": " + e.getMessage()
          + " (is the port in use or the address not on this host?)", e);
    }
  }

  /** The bound address (the real port when started on port 0). */
  public HostPort address() {
    InetSocketAddress a = (InetSocketAddress) channel.localAddress();
    return new HostPort(bindAddress.host(), a.getPort());
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
  }
}
