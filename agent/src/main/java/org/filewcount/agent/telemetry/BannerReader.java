package org.filewcount.agent.telemetry;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;
import org.filewcount.agent.app.ResultPage;

/**
 * Keeps the first {@link ResultPage#BANNER_PREFIX_BYTES} bytes of one upload result page and reads
 * the banner from them. The banner precedes the (unbounded) list of stored files, so the prefix is
 * enough and the body itself streams past untouched. Chunk boundaries do not matter because the
 * prefix is parsed once, at the end; a multi-byte character cut by the prefix limit decodes to a
 * replacement character after the banner.
 */
final class BannerReader {

  /** What reading the page gave. */
  enum Status {
    /** The page holds a banner. */
    FOUND,
    /** A readable HTML page without any banner: not the app's result page. */
    MISSING,
    /** The page is compressed in a way we do not decode; the outcome falls back to the status code. */
    UNREADABLE;

    String attributeValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The result of reading one page. {@code banner} is present only for {@link Status#FOUND}. */
  record Result(Status status, Optional<ResultPage.Banner> banner) {}

  private enum Encoding { IDENTITY, GZIP, DEFLATE, UNSUPPORTED }

  private final Charset charset;
  private final Encoding encoding;
  private final boolean html;
  /** How much of the page to keep: the prefix, or less when the page says it is shorter. */
  private final int keep;
  private byte[] prefix;
  private int length;

  private BannerReader(Charset charset, Encoding encoding, boolean html, int keep) {
    this.charset = charset;
    this.encoding = encoding;
    this.html = html;
    this.keep = keep;
  }

  /** A reader for the page this response head starts. */
  static BannerReader forResponse(HttpResponse response) {
    CharSequence mime = HttpUtil.getMimeType(response);
    boolean html = mime != null && HttpHeaderValues.TEXT_HTML.contentEqualsIgnoreCase(mime);
    Charset charset = HttpUtil.getCharset(response, StandardCharsets.UTF_8);
    long declared = HttpUtil.getContentLength(response, -1L);
    int keep = declared >= 0 && declared < ResultPage.BANNER_PREFIX_BYTES
        ? (int) declared : ResultPage.BANNER_PREFIX_BYTES;
    return new BannerReader(charset, encoding(response.headers().get(HttpHeaderNames.CONTENT_ENCODING)), html, keep);
  }

  /** Copies what is still missing of the prefix; leaves the buffer's indexes alone. */
  void accept(ByteBuf content) {
    if (!html || encoding == Encoding.UNSUPPORTED) {
      return;
    }
    if (prefix == null) {
      prefix = new byte[keep];
    }
    int n = Math.min(content.readableBytes(), prefix.length - length);
    if (n > 0) {
      content.getBytes(content.readerIndex(), prefix, length, n);
      length += n;
    }
  }

  Result read() {
    if (!html) {
      return new Result(Status.MISSING, Optional.empty());
    }
    if (encoding == Encoding.UNSUPPORTED) {
      return new Result(Status.UNREADABLE, Optional.empty());
    }
    Optional<ResultPage.Banner> banner = ResultPage.parse(plainText());
    prefix = null;
    return new Result(banner.isPresent() ? Status.FOUND : Status.MISSING, banner);
  }

  /** The kept prefix as text: decoded straight from the bytes kept (one copy into a String). */
  private String plainText() {
    if (prefix == null) {
      return "";
    }
    if (encoding == Encoding.IDENTITY) {
      return decode(prefix, length);
    }
    // Inflate what we kept; the stream is cut short on purpose, so an early end is expected.
    byte[] out = new byte[ResultPage.BANNER_PREFIX_BYTES];
    int total = 0;
    try (InputStream in = inflating(new ByteArrayInputStream(prefix, 0, length))) {
      int n;
      while (total < out.length && (n = in.read(out, total, out.length - total)) > 0) {
        total += n;
      }
    } catch (EOFException | ZipException e) {
      // Truncated or damaged stream: keep what was inflated before it.
    } catch (IOException e) {
      // Reading from memory: nothing else can fail.
    }
    return decode(out, total);
  }

  private InputStream inflating(InputStream in) throws IOException {
    return encoding == Encoding.GZIP ? new GZIPInputStream(in, 1024) : new InflaterInputStream(in);
  }

  private String decode(byte[] bytes, int n) {
    if (charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.ISO_8859_1)
        || charset.equals(StandardCharsets.US_ASCII)) {
      // The JDK's fast paths; malformed input becomes replacement characters, as below.
      return new String(bytes, 0, n, charset);
    }
    try {
      return charset.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(bytes, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      // Unreachable with REPLACE; be safe anyway.
      return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  private static Encoding encoding(String header) {
    if (header == null || header.isBlank()) {
      return Encoding.IDENTITY;
    }
    switch (header.trim().toLowerCase(Locale.ROOT)) {
      case "identity": return Encoding.IDENTITY;
      case "gzip":
      case "x-gzip": return Encoding.GZIP;
      case "deflate": return Encoding.DEFLATE;
      default: return Encoding.UNSUPPORTED;
    }
  }
}
