package org.filewcount.agent.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes on a fresh TCP connection, exactly as given (no client library fixes them up), and what came
 * back: the status codes of the responses, or that the server closed or reset the connection, or that
 * it said nothing within the timeout.
 */
final class RawHttp {

  private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.[01] (\\d{3}) ");

  /**
   * @param statuses status codes of the responses read (empty when none came)
   * @param closed the server closed or reset the connection
   * @param silent nothing at all within the timeout, connection still open
   */
  record Answer(List<Integer> statuses, boolean closed, boolean silent) {

    /** What issue 8 accepts for hostile input: a 4xx, a 501/505, or a closed connection without answer. */
    boolean refused() {
      if (silent) {
        return false;
      }
      if (statuses.isEmpty()) {
        return closed;
      }
      return statuses.stream().allMatch(s -> s >= 400 && s < 500 || s == 501 || s == 505);
    }

    String describe() {
      return silent ? "no answer" : statuses.isEmpty() ? "closed" : "status " + statuses + (closed ? " then closed" : "");
    }
  }

  private RawHttp() {}

  /**
   * Sends {@code request} and reads the answer. With {@code readAll} it reads until the server closes or
   * stays quiet for {@code quiet} after the first bytes (to see a second, smuggled response); otherwise
   * the first status line is enough.
   */
  static Answer exchange(int port, byte[] request, Duration timeout, boolean readAll, Duration quiet) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout((int) timeout.toMillis());
      OutputStream out = s.getOutputStream();
      boolean writeFailed = false;
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // The server answered early (431) and closed while a flood was still being written.
        writeFailed = true;
      }
      return read(s, s.getInputStream(), readAll, quiet, writeFailed);
    }
  }

  private static Answer read(Socket s, InputStream in, boolean readAll, Duration quiet, boolean writeFailed)
      throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    boolean closed = false;
    boolean silent = false;
    while (true) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        silent = got.size() == 0;
        break;
      } catch (IOException e) {
        closed = true; // reset
        break;
      }
      if (n < 0) {
        closed = true;
        break;
      }
      got.write(buf, 0, n);
      if (!readAll && got.toString(StandardCharsets.ISO_8859_1).contains("\r\n")) {
        break;
      }
      if (readAll) {
        s.setSoTimeout((int) quiet.toMillis());
      }
    }
    if (writeFailed && got.size() == 0) {
      closed = true;
      silent = false;
    }
    List<Integer> statuses = new ArrayList<>();
    Matcher m = STATUS_LINE.matcher(got.toString(StandardCharsets.ISO_8859_1));
    while (m.find()) {
      statuses.add(Integer.parseInt(m.group(1)));
    }
    return new Answer(statuses, closed, silent);
  }

  /** A well-formed {@code GET path} with {@code Connection: close}: status and body, connection gone after. */
  static String[] get(int port, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(bytes("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = STATUS_LINE.matcher(all);
      return new String[] {m.find() ? m.group(1) : "none", all};
    }
  }

  static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }
}
