package org.filewcount.agent.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fast test app for latency measurements: answers every body-less request with one fixed page in a
 * single write, as nginx does (the JDK's server writes head and body separately, which with Nagle's
 * algorithm adds the peer's 40 ms delayed ACK to every response).
 */
final class FixedResponseUpstream implements AutoCloseable {

  private static final String PAGE = "<html><title>File Upload</title>File Word Counter.</html>";
  private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
      + PAGE.length() + "\r\n\r\n" + PAGE).getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fixed-upstream");
    t.setDaemon(true);
    return t;
  });
  final AtomicLong requests = new AtomicLong();

  FixedResponseUpstream() throws IOException {
    server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    executor.submit(this::accept);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        executor.submit(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      int state = 0;
      int b;
      while ((b = in.read()) != -1) {
        // Count CR LF CR LF: the end of a body-less request's head.
        state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
            ? state + 1 : (b == '\r' ? 1 : 0);
        if (state == 4) {
          requests.incrementAndGet();
          out.write(RESPONSE);
          out.flush();
          state = 0;
        }
      }
    } catch (IOException e) {
      // connection closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    executor.shutdownNow();
  }
}
