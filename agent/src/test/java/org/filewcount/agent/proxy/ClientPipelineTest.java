package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.filewcount.agent.proxy.http.StrictHttpServerCodec;
import org.junit.jupiter.api.Test;

/** The one initializer: the order of the client pipeline, the codec's HEAD bookkeeping, the lingering close. */
class ClientPipelineTest {

  @Test
  void theCodecComesFirstThenTheConnectionAndNothingElse() {
    EmbeddedProxy p = new EmbeddedProxy();
    assertThat(p.client.pipeline().names()).startsWith("codec", "connection");
    assertThat(p.client.pipeline().first()).isInstanceOf(StrictHttpServerCodec.class);
    assertThat(p.client.pipeline().get("connection")).isInstanceOf(ClientConnection.class);
  }

  @Test
  void theCodecWritesNoBodyForAHeadRequestAndOneForTheGetAfterIt() {
    EmbeddedProxy p = new EmbeddedProxy();
    EmbeddedChannel codecOnly = new EmbeddedChannel(new StrictHttpServerCodec(p.settings));
    codecOnly.writeInbound(EmbeddedProxy.bytes("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    Object msg;
    while ((msg = codecOnly.readInbound()) != null) {
      ReferenceCountUtil.release(msg);
    }
    for (int i = 0; i < 2; i++) {
      DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
      r.headers().set("Content-Length", "4");
      codecOnly.writeOutbound(r);
    }
    String out = EmbeddedProxy.drain(codecOnly);
    assertThat(out.split("HTTP/1.1 200 OK", -1)).hasSize(3);
    assertThat(out).endsWith("\r\n\r\nbody").containsOnlyOnce("body");
  }

  @Test
  void aLingeringCloseDropsWhatStillArrivesAndClosesWhenTheLingerTimeIsUp() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("POST / HTTP/1.1\r\nHost: bad host\r\nContent-Length: 100000\r\n\r\n");
    assertThat(p.toClient()).startsWith("HTTP/1.1 400 ");
    assertThat(p.client.pipeline().first()).isInstanceOf(LingeringClose.Discard.class);
    assertThat(p.client.config().isAutoRead()).isTrue();
    p.send("more of the upload nobody will read");
    assertThat(p.client.isOpen()).isTrue();
    p.client.advanceTimeBy(p.settings.lingerTimeout().toMillis() + 1, java.util.concurrent.TimeUnit.MILLISECONDS);
    p.client.runScheduledPendingTasks();
    p.client.runPendingTasks();
    assertThat(p.client.isOpen()).isFalse();
  }
}
