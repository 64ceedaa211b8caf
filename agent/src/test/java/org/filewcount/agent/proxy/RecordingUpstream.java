package org.filewcount.agent.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A test app that records every request it receives (headers, body size, whether the body arrived
 * complete, which connection it came on) and answers by path: {@code /slow?ms=N} waits first,
 * {@code /big?bytes=N} streams N bytes, {@code /header?name=value} sets a response header, anything
 * else echoes the request head as text.
 */
final class RecordingUpstream implements AutoCloseable {

  record Received(String method, String uri, Map<String, List<String>> headers, long bodyBytes, boolean complete,
      int remotePort) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : String.join(",", v);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "recording-upstream");
    t.setDaemon(true);
    return t;
  });
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Requests whose head reached the app, complete or not. */
  final List<String> heads = new CopyOnWriteArrayList<>();

  RecordingUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    heads.add(ex.getRequestMethod() + " " + ex.getRequestURI());
    long bytes = 0;
    boolean complete = true;
    try (InputStream in = ex.getRequestBody()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) != -1) {
        bytes += n;
      }
    } catch (IOException e) {
      complete = false;
    }
    Map<String, List<String>> headers = ex.getRequestHeaders().entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (a, b) -> a));
    received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(), headers, bytes, complete,
        ex.getRemoteAddress().getPort()));
    if (!complete) {
      ex.close();
      return;
    }
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery();
    try {
      if (path.equals("/slow")) {
        Thread.sleep(Long.parseLong(query.substring("ms=".length())));
        send(ex, 200, "slow done\n");
      } else if (path.equals("/big")) {
        long size = Long.parseLong(query.substring("bytes=".length()));
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
          byte[] chunk = new byte[64 * 1024];
          for (long sent = 0; sent < size; sent += chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, size - sent));
          }
        }
      } else if (path.equals("/header")) {
        String[] kv = query.split("=", 2);
        ex.getResponseHeaders().add(kv[0], kv[1]);
        send(ex, 200, "with header\n");
      } else {
        StringBuilder sb = new StringBuilder(ex.getRequestMethod() + " " + ex.getRequestURI() + "\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(String.join(",", v)).append('\n'));
        sb.append("body-bytes: ").append(bytes).append('\n');
        send(ex, 200, sb.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange ex, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
