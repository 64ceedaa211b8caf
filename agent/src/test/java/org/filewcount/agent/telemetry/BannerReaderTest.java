package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DeflaterOutputStream;
import org.filewcount.agent.app.Outcome;
import org.filewcount.agent.app.ResultPage;
import org.junit.jupiter.api.Test;

class BannerReaderTest {

  private static final String BANNER = "File Received. Thanks! Word Count:4, Uniq-Word Count:2";

  @Test
  void aBannerCutIntoOneByteChunksIsStillFound() {
    BannerReader reader = BannerReader.forResponse(Exchanges.response(200, "text/html; charset=utf-8"));
    feed(reader, Exchanges.utf8(Exchanges.resultPage(BANNER, 3)), 1);
    BannerReader.Result r = reader.read();
    assertThat(r.status()).isEqualTo(BannerReader.Status.FOUND);
    assertThat(r.banner().orElseThrow().outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(r.banner().orElseThrow().counts().orElseThrow().words()).isEqualTo(4);
  }

  @Test
  void aMultiByteCharacterCutByThePrefixLimitDoesNotHideTheBanner() {
    // The prefix ends in the middle of a 3-byte character, after the banner.
    String page = Exchanges.resultPage(BANNER, 0);
    int pad = ResultPage.BANNER_PREFIX_BYTES - Exchanges.utf8(page).length - 1;
    byte[] body = Exchanges.utf8(page + "x".repeat(pad) + "単語");
    BannerReader reader = BannerReader.forResponse(Exchanges.response(200, "text/html"));
    feed(reader, body, 1000);
    assertThat(reader.read().status()).isEqualTo(BannerReader.Status.FOUND);
  }

  @Test
  void deflateIsInflatedAndUnknownEncodingsAreUnreadable() throws Exception {
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(z)) {
      out.write(Exchanges.utf8(Exchanges.resultPage("<p>" + ResultPage.MISSING_FILE + "</p>", 2000)));
    }
    HttpResponse deflated = Exchanges.response(200, "text/html");
    deflated.headers().set(HttpHeaderNames.CONTENT_ENCODING, "deflate");
    BannerReader reader = BannerReader.forResponse(deflated);
    feed(reader, z.toByteArray(), 512);
    assertThat(reader.read().banner().orElseThrow().error()).contains(ResultPage.MISSING_FILE);

    HttpResponse brotli = Exchanges.response(200, "text/html");
    brotli.headers().set(HttpHeaderNames.CONTENT_ENCODING, "br");
    BannerReader unreadable = BannerReader.forResponse(brotli);
    feed(unreadable, new byte[] {1, 2, 3}, 1);
    assertThat(unreadable.read().status()).isEqualTo(BannerReader.Status.UNREADABLE);
  }

  @Test
  void aPageThatIsNotHtmlHasNoBanner() {
    BannerReader reader = BannerReader.forResponse(Exchanges.response(200, "application/json"));
    feed(reader, BANNER.getBytes(StandardCharsets.UTF_8), 10);
    assertThat(reader.read().status()).isEqualTo(BannerReader.Status.MISSING);
  }

  private static void feed(BannerReader reader, byte[] body, int chunk) {
    for (ByteBuf b : Exchanges.chunks(body, chunk)) {
      reader.accept(b);
      b.release();
    }
  }
}
