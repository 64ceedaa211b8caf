package org.filewcount.agent.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates malformed and adversarial HTTP/1.1 requests, each a complete frame for a correct parser
 * (so a correct server answers at once rather than waiting for more bytes) and each one that HTTP
 * (RFC 9110/9112) says must be refused, or that only reaches the app as a single harmless request the
 * app itself answers with 4xx (percent-encoded junk in a path: 404). Deterministic: the seed is printed.
 */
final class HostileRequests {

  /** One attack: its family, a short label for reports, the bytes. */
  record Attack(String family, String label, byte[] bytes) {}

  private static final String HOST = "Host: 127.0.0.1\r\n";
  private static final String[] METHODS_NOT_FORWARDED = {"TRACE", "CONNECT", "PROPFIND", "get", "Get", "BREW", "M-SEARCH"};

  private final Random random;

  HostileRequests(long seed) {
    this.random = new Random(seed);
  }

  List<Attack> badRequestLines(int n) {
    List<Attack> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String line = switch (i % 14) {
        case 0 -> printableGarbage(1 + random.nextInt(60)).replace(" ", "");
        case 1 -> "GET / HTTP/" + (2 + random.nextInt(8)) + "." + random.nextInt(10);
        case 2 -> "GET / HTTP/1." + (2 + random.nextInt(8)) + "x";
        case 3 -> "GET / FTP/1.1";
        case 4 -> METHODS_NOT_FORWARDED[random.nextInt(METHODS_NOT_FORWARDED.length)] + " / HTTP/1.1";
        case 5 -> "GET " + printableGarbage(1 + random.nextInt(20)).replace(" ", "").replace("/", "") + " HTTP/1.1";
        case 6 -> "GET /" + "a".repeat(9000 + random.nextInt(20000)) + " HTTP/1.1";
        // Not here: "GET  / HTTP/1.1" or tabs as separators, which RFC 9112 section 3 lets a server accept.
        case 7 -> "GET /";
        case 8 -> "GET / HTTP/1.1 extra";
        case 9 -> "G\u0000ET / HTTP/1.1";
        case 10 -> "GET /\u0000 HTTP/1.1";
        case 11 -> "GET / HTTP/1.1\u0007";
        case 12 -> "GET / HTTP/1.1.1";
        default -> "/ GET HTTP/1.1";
      };
      out.add(new Attack("bad request line", "line#" + (i % 14), RawHttp.bytes(line + "\r\n" + HOST + "\r\n")));
    }
    return out;
  }

  List<Attack> headerFloods(int n) {
    List<Attack> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n").append(HOST);
      int headers = 2000 + random.nextInt(6000);
      for (int h = 0; h < headers; h++) {
        sb.append("X-Flood-").append(h).append(": ").append(h).append("\r\n");
      }
      out.add(new Attack("header flood", headers + " headers", RawHttp.bytes(sb.append("\r\n").toString())));
    }
    return out;
  }

  List<Attack> hugeHeaderValues(int n) {
    List<Attack> out = new ArrayList<>();
    String[] names = {"X-Big", "Cookie", "User-Agent", "Referer", "Authorization"};
    for (int i = 0; i < n; i++) {
      int size = 40_000 + random.nextInt(160_000);
      String name = names[i % names.length];
      out.add(new Attack("huge header value", name + " " + size + " B",
          RawHttp.bytes("GET / HTTP/1.1\r\n" + HOST + name + ": " + "v".repeat(size) + "\r\n\r\n")));
    }
    return out;
  }

  List<Attack> contentLengthTransferEncodingConflicts(int n) {
    List<Attack> out = new ArrayList<>();
    String body = "0\r\n\r\n";
    for (int i = 0; i < n; i++) {
      String head = switch (i % 12) {
        case 0 -> "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n";
        case 1 -> "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n";
        case 2 -> "Content-Length: " + random.nextInt(1000) + "\r\nTransfer-Encoding: Chunked\r\n";
        case 3 -> "Content-Length: 5\r\nContent-Length: " + (6 + random.nextInt(100)) + "\r\n";
        case 4 -> "Content-Length: 5, " + (6 + random.nextInt(100)) + "\r\n";
        case 5 -> "Content-Length: -" + (1 + random.nextInt(100)) + "\r\n";
        case 6 -> "Content-Length: +5\r\n";
        case 7 -> "Content-Length: 0x5\r\n";
        case 8 -> "Content-Length: 99999999999999999999999\r\n";
        case 9 -> "Transfer-Encoding: chunked, chunked\r\n";
        case 10 -> "Transfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n";
        default -> "Transfer-Encoding: identity\r\n";
      };
      out.add(new Attack("CL/TE conflict", "cl-te#" + (i % 12),
          RawHttp.bytes("POST /file_upload HTTP/1.1\r\n" + HOST + head + "\r\n" + body)));
    }
    return out;
  }

  List<Attack> badChunkSizes(int n) {
    List<Attack> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String chunks = switch (i % 9) {
        case 0 -> "zz\r\nhello\r\n0\r\n\r\n";
        case 1 -> "-5\r\nhello\r\n0\r\n\r\n";
        case 2 -> "F".repeat(17 + random.nextInt(10)) + "\r\nhello\r\n0\r\n\r\n";
        case 3 -> "0x5\r\nhello\r\n0\r\n\r\n";
        case 4 -> "5 5\r\nhello\r\n0\r\n\r\n";
        case 5 -> "\r\nhello\r\n0\r\n\r\n";
        case 6 -> "5;" + "e".repeat(40_000 + random.nextInt(40_000)) + "\r\nhello\r\n0\r\n\r\n";
        case 7 -> "3\r\nhello\r\n0\r\n\r\n";
        default -> "g" + Integer.toHexString(random.nextInt(4096)) + "\r\nhello\r\n0\r\n\r\n";
      };
      out.add(new Attack("bad chunk size", "chunk#" + (i % 9), RawHttp.bytes("POST /file_upload HTTP/1.1\r\n" + HOST
          + "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)));
    }
    return out;
  }

  List<Attack> invalidUtf8Paths(int n) {
    List<Attack> out = new ArrayList<>();
    String[] encoded = {"%C3%28", "%A0%A1", "%E2%28%A1", "%F0%28%8C%BC", "%FF%FE", "%C0%AF", "%ED%A0%80", "%80", "%00"};
    for (int i = 0; i < n; i++) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(RawHttp.bytes("GET /"));
      if (i % 2 == 0) {
        // Raw bytes that are not UTF-8 (and not ASCII) straight in the request target.
        int len = 1 + random.nextInt(6);
        for (int k = 0; k < len; k++) {
          b.write(0x80 + random.nextInt(0x80));
        }
      } else {
        // Well-formed HTTP carrying broken UTF-8 percent-encoded: the app may see it, and answers 404.
        b.writeBytes(RawHttp.bytes((i % 4 == 1 ? "file_upload" : "static/") + encoded[random.nextInt(encoded.length)]));
      }
      b.writeBytes(RawHttp.bytes(" HTTP/1.1\r\n" + HOST + "\r\n"));
      out.add(new Attack("invalid UTF-8 path", i % 2 == 0 ? "raw bytes" : "percent-encoded", b.toByteArray()));
    }
    return out;
  }

  List<Attack> badHeaders(int n) {
    List<Attack> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String headers = switch (i % 11) {
        case 0 -> HOST + "X-No-Colon\r\n";
        case 1 -> HOST + "X-Space : before-colon\r\n";
        case 2 -> HOST + "X-Nul: a\u0000b\r\n";
        case 3 -> HOST + "X(Bad): name\r\n";
        case 4 -> HOST + HOST;
        case 5 -> "";
        case 6 -> "Host: a b\r\n";
        case 7 -> "Host: x/y\r\n";
        case 8 -> HOST + "X-Cr: a\rb\r\n";
        case 9 -> HOST + "Expect: " + printableGarbage(8).replace(" ", "x") + "\r\n";
        default -> HOST + ": empty-name\r\n";
      };
      out.add(new Attack("bad header", "header#" + (i % 11), RawHttp.bytes("GET / HTTP/1.1\r\n" + headers + "\r\n")));
    }
    return out;
  }

  /**
   * Classic smuggling shapes (CL.TE, TE.CL, TE.TE obfuscation, CL.CL), each hiding a second request
   * ({@code GET /smuggled}) that a parser disagreeing with the app's would forward separately.
   */
  List<Attack> smuggling(int n) {
    List<Attack> out = new ArrayList<>();
    String hidden = "GET /smuggled HTTP/1.1\r\n" + HOST + "\r\n";
    for (int i = 0; i < n; i++) {
      String attack = switch (i % 8) {
        case 0 -> "POST / HTTP/1.1\r\n" + HOST + "Content-Length: " + (5 + hidden.length())
            + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden;
        case 1 -> {
          String chunk = hidden + "0\r\n\r\n";
          yield "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
              + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
        }
        case 2 -> "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n"
            + hidden;
        case 3 -> "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding : chunked\r\nContent-Length: "
            + (5 + hidden.length()) + "\r\n\r\n0\r\n\r\n" + hidden;
        case 4 -> "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 0\r\nContent-Length: " + hidden.length()
            + "\r\n\r\n" + hidden;
        case 5 -> "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: xchunked\r\nContent-Length: "
            + (5 + hidden.length()) + "\r\n\r\n0\r\n\r\n" + hidden;
        case 6 -> "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n" + hidden;
        default -> "POST / HTTP/1.1\r\n" + HOST + "Content-Length: " + hidden.length()
            + "\r\nTransfer-Encoding: chunked\r\n\r\n" + hidden;
      };
      out.add(new Attack("smuggling", "smuggle#" + (i % 8), RawHttp.bytes(attack)));
    }
    return out;
  }

  private String printableGarbage(int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      sb.append((char) (0x20 + random.nextInt(0x5f)));
    }
    return sb.toString();
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
