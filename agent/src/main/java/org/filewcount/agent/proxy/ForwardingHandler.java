package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a client connection: starts one {@link ProxiedExchange} per request head (refused
 * or not), feeds it the body, and reads the next request only when the exchange is over. The
 * connection's channel has auto-read off: every read is asked for, which is what carries
 * backpressure from the app back to the client.
 */
final class ForwardingHandler extends ChannelInboundHandlerAdapter implements ProxiedExchange.Owner {

  private static final Logger log = LoggerFactory.getLogger(ForwardingHandler.class);

  private final ExchangeObserver observer;
  private final UpstreamPool upstreams;
  private final InFlightRequests inFlight;
  private ChannelHandlerContext ctx;
  private ProxiedExchange current;
  /** The connection closes after the last response: nothing more is read from it, pipelined or not. */
  private boolean closing;

  ForwardingHandler(ExchangeObserver observer, UpstreamPool upstreams, InFlightRequests inFlight) {
    this.observer = observer;
    this.upstreams = upstreams;
    this.inFlight = inFlight;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    ctx.read();
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing && current == null) {
      ReferenceCountUtil.release(msg instanceof RejectedRequest rejected ? rejected.request() : msg);
      return;
    }
    if (msg instanceof RejectedRequest rejected) {
      if (current != null) {
        ReferenceCountUtil.release(rejected.request());
        ctx.close();
        return;
      }
      ProxiedExchange e = begin(rejected.request());
      ReferenceCountUtil.release(rejected.request());
      e.reject(rejected);
    } else if (msg instanceof HttpRequest request) {
      if (current != null) {
        // Cannot happen while reads are asked for one at a time; refuse to guess.
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      begin(request).forward();
      if (msg instanceof HttpContent content) {
        current.fromClient(content);
      }
    } else if (msg instanceof HttpContent content) {
      if (current != null) {
        current.fromClient(content);
      } else {
        content.release();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private ProxiedExchange begin(HttpRequest request) {
    inFlight.increment();
    ExchangeObserver.Exchange observed = GuardedExchange.start(observer, request, clientAddress());
    current = new ProxiedExchange(ctx, request, observed, upstreams, this);
    return current;
  }

  private String clientAddress() {
    SocketAddress peer = ctx.channel().remoteAddress();
    return peer instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : String.valueOf(peer);
  }

  @Override
  public void exchangeFinished(ProxiedExchange exchange, boolean keepReading) {
    if (current == exchange) {
      current = null;
    }
    inFlight.decrement();
    if (!keepReading) {
      closing = true;
    } else if (ctx.channel().isActive()) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (current != null && ctx.channel().isWritable()) {
      current.clientWritable();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (current != null) {
      current.clientClosed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ExchangeAbort abort && current != null) {
      current.abort(abort);
      return;
    }
    if (!(cause instanceof IOException) && !(cause instanceof ExchangeAbort)) {
      log.debug("client connection {} failed", ctx.channel().remoteAddress(), cause);
    }
    if (current != null) {
      current.clientFailed(cause);
    } else {
      ctx.close();
    }
  }
}
