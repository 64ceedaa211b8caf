package org.filewcount.agent.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import org.filewcount.agent.proxy.ProxySettings;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Netty's HTTP/1.1 server codec with the one change a proxy needs: a request carrying both
 * Content-Length and Transfer-Encoding is refused (RFC 9112 section 6.3 allows a server to reject it,
 * and a proxy must, since the app behind it may frame the body differently: request smuggling).
 * Netty's own codec would drop the Content-Length and carry on. Like Netty's codec, it remembers
 * which requests were HEAD so their responses are written without a body.
 */
public final class StrictHttpServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  public StrictHttpServerCodec(ProxySettings settings) {
    HttpDecoderConfig config = new HttpDecoderConfig()
        .setMaxInitialLineLength(settings.maxRequestLineBytes())
        .setMaxHeaderSize(settings.maxRequestHeaderBytes())
        // Bodies are streamed in slices of at most this size; it bounds memory per connection.
        .setMaxChunkSize(16 * 1024)
        .setValidateHeaders(true)
        .setAllowDuplicateContentLengths(false)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true);
    init(new Decoder(config), new Encoder());
  }

  private final class Decoder extends HttpRequestDecoder {
    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          methods.add(request.method());
        }
      }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new IllegalArgumentException("both Content-Length and Transfer-Encoding are present");
    }
  }

  private final class Encoder extends HttpResponseEncoder {
    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        return super.isContentAlwaysEmpty(msg);
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
