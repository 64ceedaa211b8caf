package org.filewcount.agent.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.filewcount.agent.config.HostPort;

/**
 * A client connection's pipeline on an {@link EmbeddedChannel}, with app connections that are
 * embedded channels too: tests write raw bytes in on either side and read raw bytes out, on the test
 * thread, with time under their control ({@code advanceTimeBy}).
 */
final class EmbeddedProxy implements UpstreamConnections {

  final ProxySettings settings;
  final RecordingObserver observer = new RecordingObserver();
  final InFlight inFlight = new InFlight();
  final EmbeddedChannel client;
  final List<EmbeddedChannel> apps = new ArrayList<>();
  final List<Boolean> released = new ArrayList<>();
  /** Flushes that reached the socket end of the app connections' pipelines. */
  final FlushCounter appFlushes = new FlushCounter();
  /** When set, the next acquire returns this promise instead of a connection (tests complete or fail it). */
  Promise<Channel> pendingAcquire;

  EmbeddedProxy() {
    this(b -> b);
  }

  EmbeddedProxy(UnaryOperator<ProxySettings.Builder> tune) {
    settings = tune.apply(ProxySettings.builder(new HostPort("127.0.0.1", 0), URI.create("http://127.0.0.1:8080")))
        .build();
    client = new EmbeddedChannel();
    client.freezeTime();
    client.pipeline().addLast(new ClientPipeline(settings, observer, this, inFlight,
        new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE)));
  }

  @Override
  public Future<Channel> acquire(EventLoop loop) {
    if (pendingAcquire != null) {
      Promise<Channel> p = pendingAcquire;
      pendingAcquire = null;
      return p;
    }
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(newApp());
  }

  EmbeddedChannel newApp() {
    EmbeddedChannel app = new EmbeddedChannel();
    app.freezeTime();
    UpstreamHandler.install(app.pipeline(), settings);
    app.pipeline().addFirst(appFlushes);
    apps.add(app);
    return app;
  }

  @Override
  public void release(Channel channel, boolean reusable) {
    released.add(reusable);
    if (!reusable) {
      channel.close();
    }
  }

  EmbeddedChannel app() {
    return apps.get(apps.size() - 1);
  }

  void send(String raw) {
    client.writeInbound(bytes(raw));
  }

  void answer(String raw) {
    app().writeInbound(bytes(raw));
  }

  /** Everything the proxy wrote to the client since the last call. */
  String toClient() {
    return drain(client);
  }

  /** Everything the proxy wrote to the app since the last call. */
  String toApp() {
    return drain(app());
  }

  static String drain(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) msg;
      out.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return out.toString();
  }

  static ByteBuf bytes(String raw) {
    return Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1);
  }

  ProxiedExchange exchange() {
    ClientConnection c = client.pipeline().get(ClientConnection.class);
    return c.current();
  }
}
