package org.filewcount.agent.uploads;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP GET over a Unix domain socket, for Nomad's Task API ({@code $NOMAD_SECRETS_DIR/api.sock},
 * hashicorp/nomad v1.10.5 client/allocrunner/taskrunner/api_hook.go), which java.net.http cannot reach.
 *
 * <p>The request is HTTP/1.0 on purpose: Go's net/http then answers without chunked encoding and ends
 * the body by closing the connection, so the whole exchange is "write the request, read to the end".
 * A response larger than the cap, or slower than the timeout, is an error; nothing is half-returned.
 */
final class UnixSocketHttp {

  /** Status and body of one answer. */
  record Response(int status, byte[] body) {}

  private final Path socket;
  private final Duration timeout;

  UnixSocketHttp(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  Response get(String pathAndQuery, Map<String, String> headers, long maxBody) throws IOException {
    StringBuilder head = new StringBuilder("GET ").append(pathAndQuery).append(" HTTP/1.0\r\nHost: localhost\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    AtomicBoolean timedOut = new AtomicBoolean();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      // A blocking read has no timeout of its own: closing the channel ends it.
      CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
        timedOut.set(true);
        try {
          ch.close();
        } catch (IOException ignored) {
          // closing is all we wanted
        }
      }, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
        ByteBuffer out = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        while (out.hasRemaining()) {
          ch.write(out);
        }
        return parse(readAll(ch, maxBody + 64 * 1024), maxBody);
      } catch (IOException e) {
        if (timedOut.get()) {
          throw new IOException("no complete answer within " + timeout.toSeconds() + " s", e);
        }
        throw e;
      } finally {
        watchdog.cancel(false);
      }
    }
  }

  private static byte[] readAll(SocketChannel ch, long cap) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    while (ch.read(buf) >= 0) {
      buf.flip();
      all.write(buf.array(), 0, buf.limit());
      buf.clear();
      if (all.size() > cap) {
        throw new IOException("answer larger than " + cap + " bytes");
      }
    }
    return all.toByteArray();
  }

  static Response parse(byte[] raw, long maxBody) throws IOException {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (end < 0) {
      throw new IOException("the answer ended before its headers did");
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer: " + (lines[0].length() > 60 ? lines[0].substring(0, 60) : lines[0]));
    }
    int code;
    try {
      code = Integer.parseInt(status[1]);
    } catch (NumberFormatException e) {
      throw new IOException("bad HTTP status line: " + lines[0], e);
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).strip();
      if (name.equals("transfer-encoding")) {
        throw new IOException("unexpected Transfer-Encoding " + value + " on an HTTP/1.0 exchange");
      }
      if (name.equals("content-length") && Long.parseLong(value) != body.length) {
        throw new IOException("the answer ended after " + body.length + " of its " + value + " bytes");
      }
    }
    if (body.length > maxBody) {
      throw new IOException("answer larger than " + maxBody + " bytes");
    }
    return new Response(code, body);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
