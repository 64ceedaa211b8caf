package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.junit.jupiter.api.Test;

/** Each move of an exchange's {@link Phase}, driven through a client connection on an embedded channel. */
class ProxiedExchangeTest {

  private static final String GET = "GET /a HTTP/1.1\r\nHost: app\r\n\r\n";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

  @Test
  void acquiringThenForwardingThenRelayingThenDone() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.pendingAcquire = ImmediateEventExecutor.INSTANCE.newPromise();
    var promise = p.pendingAcquire;
    p.send(GET);
    assertThat(p.exchange().phase()).isEqualTo(Phase.ACQUIRING);
    promise.setSuccess(p.newApp());
    assertThat(p.exchange().phase()).isEqualTo(Phase.FORWARDING);
    assertThat(p.toApp()).startsWith("GET /a HTTP/1.1\r\n");
    p.app().writeInbound(EmbeddedProxy.bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"));
    ProxiedExchange e = p.exchange();
    assertThat(e.phase()).isEqualTo(Phase.RELAYING);
    p.answer("hi");
    assertThat(e.phase()).isEqualTo(Phase.DONE);
    assertThat(p.exchange()).isNull();
    assertThat(p.toClient()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhi");
    assertThat(p.released).containsExactly(true);
    assertThat(p.observer.exchanges.get(0).events).containsExactly("start", "inject", "head 200", "complete");
    assertThat(p.inFlight.get()).isZero();
  }

  @Test
  void acquiringToAnsweringWhenTheAppCannotBeReached() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.pendingAcquire = ImmediateEventExecutor.INSTANCE.newPromise();
    var promise = p.pendingAcquire;
    p.send(GET);
    promise.setFailure(new ConnectException("refused"));
    assertThat(p.toClient()).startsWith("HTTP/1.1 502 Bad Gateway").contains("cannot connect to the app");
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.UPSTREAM_CONNECT);
    assertThat(p.client.isOpen()).as("a body-less request keeps its connection").isTrue();
  }

  @Test
  void aPoolThatHasNoFreeConnectionIs503() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.pendingAcquire = ImmediateEventExecutor.INSTANCE.<Channel>newPromise();
    var promise = p.pendingAcquire;
    p.send(GET);
    promise.setFailure(new TimeoutException());
    assertThat(p.toClient()).startsWith("HTTP/1.1 503 ");
  }

  @Test
  void acquiringToCutWhenTheClientLeavesAndTheConnectionGoesBackUnused() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.pendingAcquire = ImmediateEventExecutor.INSTANCE.newPromise();
    var promise = p.pendingAcquire;
    p.send(GET);
    ProxiedExchange e = p.exchange();
    p.client.close();
    assertThat(e.phase()).isEqualTo(Phase.CUT);
    promise.setSuccess(p.newApp());
    assertThat(p.released).containsExactly(true);
    assertThat(p.toApp()).isEmpty();
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.CLIENT_CLOSED);
  }

  @Test
  void forwardingToAnsweringWhenTheAppIsSilent() {
    EmbeddedProxy p = new EmbeddedProxy(b -> b.upstreamResponseTimeout(java.time.Duration.ofSeconds(5)));
    p.send(GET);
    ProxiedExchange e = p.exchange();
    assertThat(e.phase()).isEqualTo(Phase.FORWARDING);
    p.app().advanceTimeBy(4, TimeUnit.SECONDS);
    p.app().runScheduledPendingTasks();
    assertThat(e.phase()).isEqualTo(Phase.FORWARDING);
    p.app().advanceTimeBy(2, TimeUnit.SECONDS);
    p.app().runScheduledPendingTasks();
    assertThat(e.phase()).isEqualTo(Phase.DONE);
    assertThat(p.toClient()).startsWith("HTTP/1.1 504 Gateway Timeout");
    assertThat(p.released).containsExactly(false);
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.UPSTREAM_TIMEOUT);
  }

  @Test
  void relayingToCutWhenTheAppDiesMidResponse() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send(GET);
    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal");
    ProxiedExchange e = p.exchange();
    assertThat(e.phase()).isEqualTo(Phase.RELAYING);
    p.app().close();
    assertThat(e.phase()).isEqualTo(Phase.CUT);
    assertThat(p.client.isOpen()).as("the client sees an incomplete response").isFalse();
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.UPSTREAM_RESET);
  }

  @Test
  void answeringThenDrainingTheRestOfASmallBodyThenDone() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.pendingAcquire = ImmediateEventExecutor.INSTANCE.newPromise();
    var promise = p.pendingAcquire;
    p.send("POST /file_upload HTTP/1.1\r\nHost: app\r\nContent-Length: 4\r\n\r\n");
    ProxiedExchange e = p.exchange();
    promise.setFailure(new ConnectException("refused"));
    assertThat(e.phase()).isEqualTo(Phase.DRAINING_BODY);
    assertThat(p.toClient()).startsWith("HTTP/1.1 502 ").doesNotContain("close");
    p.send("body");
    assertThat(e.phase()).isEqualTo(Phase.DONE);
    p.send(GET);
    assertThat(p.toApp()).as("the connection carries the next request").startsWith("GET /a ");
  }

  @Test
  void theAppAnsweringBeforeTheBodyEndsClosesTheClientConnectionAndTheAppConnection() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("POST /file_upload HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n");
    p.answer("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n");
    assertThat(p.toClient()).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
    assertThat(p.released).containsExactly(false);
  }

  @Test
  void forwardingToCutWhenTheClientLeavesMidUpload() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("POST /file_upload HTTP/1.1\r\nHost: app\r\nContent-Length: 10\r\n\r\nhalf");
    ProxiedExchange e = p.exchange();
    assertThat(e.phase()).isEqualTo(Phase.FORWARDING);
    assertThat(p.toApp()).startsWith("POST /file_upload ").endsWith("half");
    p.client.close();
    assertThat(e.phase()).isEqualTo(Phase.CUT);
    // Closing the app connection is what makes the app drop the half-sent upload instead of storing it.
    assertThat(p.released).containsExactly(false);
    assertThat(p.app().isOpen()).isFalse();
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.CLIENT_CLOSED);
    assertThat(p.inFlight.get()).isZero();
  }

  @Test
  void relayingToCutWhenTheClientLeavesMidResponse() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send(GET);
    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal");
    ProxiedExchange e = p.exchange();
    assertThat(e.phase()).isEqualTo(Phase.RELAYING);
    p.client.close();
    assertThat(e.phase()).isEqualTo(Phase.CUT);
    assertThat(p.released).as("a half-read response leaves the app connection unusable").containsExactly(false);
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.CLIENT_CLOSED);
  }

  @Test
  void answeringToCutWhenTheClientLeavesBeforeTheAnswerIsWritten() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.pendingAcquire = ImmediateEventExecutor.INSTANCE.newPromise();
    var promise = p.pendingAcquire;
    // Holds every write (its promise stays open), as a client that reads nothing would.
    p.client.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
      @Override
      public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise pr) {
        io.netty.util.ReferenceCountUtil.release(msg);
      }
    });
    p.send(GET);
    ProxiedExchange e = p.exchange();
    promise.setFailure(new ConnectException("refused"));
    assertThat(e.phase()).isEqualTo(Phase.ANSWERING);
    p.client.close();
    assertThat(e.phase()).isEqualTo(Phase.CUT);
    assertThat(p.observer.exchanges.get(0).events).containsExactly("start", "head 502", "fail UPSTREAM_CONNECT");
    assertThat(p.inFlight.get()).isZero();
  }

  @Test
  void drainingBodyToCutWhenTheClientLeavesBeforeSendingTheRest() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.pendingAcquire = ImmediateEventExecutor.INSTANCE.newPromise();
    var promise = p.pendingAcquire;
    p.send("POST /file_upload HTTP/1.1\r\nHost: app\r\nContent-Length: 4\r\n\r\nbo");
    ProxiedExchange e = p.exchange();
    promise.setFailure(new ConnectException("refused"));
    assertThat(e.phase()).isEqualTo(Phase.DRAINING_BODY);
    p.client.close();
    assertThat(e.phase()).isEqualTo(Phase.CUT);
    assertThat(p.inFlight.get()).isZero();
  }

  @Test
  void phaseMovesAreExactlyTheDocumentedOnes() {
    for (Phase from : Phase.values()) {
      for (Phase to : Phase.values()) {
        boolean allowed = switch (from) {
          case ACQUIRING -> to == Phase.FORWARDING || to == Phase.ANSWERING || to == Phase.CUT;
          case FORWARDING -> to == Phase.RELAYING || to == Phase.ANSWERING || to == Phase.CUT;
          case RELAYING -> to == Phase.DONE || to == Phase.CUT;
          case ANSWERING -> to == Phase.DRAINING_BODY || to == Phase.DONE || to == Phase.CUT;
          case DRAINING_BODY -> to == Phase.DONE || to == Phase.CUT;
          case DONE, CUT -> false;
        };
        assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(allowed);
        if (!allowed) {
          org.assertj.core.api.Assertions.assertThatThrownBy(() -> from.moveTo(to))
              .isInstanceOf(IllegalStateException.class).hasMessageContaining(from + " to " + to);
        } else {
          assertThat(from.moveTo(to)).isEqualTo(to);
        }
      }
    }
  }
}
