package org.filewcount.agent.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.app.WordCounts;

/**
 * A stand-in for {@code bldrtech/filewcount} that follows ../shared/filewcount-contract.md exactly:
 * counts with the off-by-one quirk, upload errors inside 200 pages, 400 without the file part,
 * 413 over 10 MiB, one stored file per decodable upload. Tests can make it fail on purpose
 * ({@link #failUploads}, {@link #delayResponses}) and can stop and restart it on the same port.
 */
public final class FilewcountStandIn implements AutoCloseable {

  public static final long MAX_BODY = 10L * 1024 * 1024;
  private static final DateTimeFormatter STORED_NAME = DateTimeFormatter.ofPattern("yyyyMMdd.HHmmss", Locale.ROOT);
  private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))");
  private static final Pattern DISPOSITION_NAME = Pattern.compile("(?i)content-disposition:[^\r\n]*\\bname=\"([^\"]*)\"");
  private static final Pattern DISPOSITION_FILENAME =
      Pattern.compile("(?i)content-disposition:[^\r\n]*\\bfilename=\"([^\"]*)\"");

  private final Path uploads;
  private int port;
  private HttpServer server;
  private ExecutorService executor;
  private volatile double failureRatio;
  private volatile Duration delay = Duration.ZERO;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong uploadsReceived = new AtomicLong();

  private FilewcountStandIn(int port, Path uploads) {
    this.port = port;
    this.uploads = uploads;
  }

  /** Starts on a free loopback port with a fresh upload folder under target/. */
  public static FilewcountStandIn start() {
    try {
      return start(Files.createTempDirectory(TargetFiles.folder(), "filewcount-uploads"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts on a free loopback port storing uploads in {@code uploads} (the app's /opt/upload/uploads):
   * the test can plant files there and give the same folder to the agent's --uploads-dir.
   */
  public static FilewcountStandIn start(Path uploads) {
    try {
      FilewcountStandIn s = new FilewcountStandIn(0, uploads);
      s.startServer();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path uploadsFolder() {
    return uploads;
  }

  /** Starts again on the same port after {@link #stop()}: the app came back. */
  public synchronized void restart() {
    try {
      startServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "filewcount-standin");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    port = server.getAddress().getPort();
  }

  /** The app is killed: connections are refused until {@link #restart()}. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  public int port() {
    return port;
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** This share (0..1) of decodable uploads gets "Problem parsing uploaded file. Is it TEXT?", like a full disk. */
  public void failUploads(double ratio) {
    this.failureRatio = ratio;
  }

  /** Every response waits this long first: a slow instance. */
  public void delayResponses(Duration d) {
    this.delay = d;
  }

  /** Every request that reached the app, of any kind. */
  public long requestCount() {
    return requests.get();
  }

  /** POSTs to /file_upload that reached the app with a complete body. */
  public long uploadCount() {
    return uploadsReceived.get();
  }

  public List<Path> storedFiles() {
    try (Stream<Path> files = Files.list(uploads)) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try (ex) {
      if (!delay.isZero()) {
        Thread.sleep(delay.toMillis());
      }
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/") || path.equals("/file_upload")) {
        if (method.equals("POST") && path.equals("/file_upload")) {
          upload(ex);
        } else if (method.equals("GET") || method.equals("HEAD")) {
          send(ex, 200, page(""));
        } else {
          send(ex, 405, "<h1>Method Not Allowed</h1>");
        }
      } else {
        send(ex, 404, "<h1>Not Found</h1>");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void upload(HttpExchange ex) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null && Long.parseLong(declared.trim()) > MAX_BODY) {
      // nginx answers before reading the body, then discards what still arrives (lingering close) so the
      // client reads the 413 instead of a reset.
      byte[] bytes = "<html><head><title>413 Request Entity Too Large</title></head></html>"
          .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/html");
      ex.getResponseHeaders().set("Connection", "close");
      ex.sendResponseHeaders(413, bytes.length);
      OutputStream out = ex.getResponseBody();
      out.write(bytes);
      out.flush();
      ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
      out.close();
      return;
    }
    Optional<byte[]> body = readBounded(ex.getRequestBody());
    if (body.isEmpty()) {
      send(ex, 413, "<html><head><title>413 Request Entity Too Large</title></head></html>");
      return;
    }
    uploadsReceived.incrementAndGet();
    Optional<Part> part = filePart(ex.getRequestHeaders().getFirst("Content-Type"), body.get());
    if (part.isEmpty()) {
      send(ex, 400, "<h1>Bad Request</h1><p>The browser (or proxy) sent a request that this server could not"
          + " understand.</p>");
      return;
    }
    if (part.get().filename().isEmpty()) {
      send(ex, 200, page("<p class=\"error\">" + ResultPage.MISSING_FILE + "</p>"));
      return;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(part.get().content()))
          .toString();
    } catch (CharacterCodingException e) {
      send(ex, 200, page("<p class=\"error\">" + ResultPage.NOT_TEXT + "</p>"));
      return;
    }
    if (failureRatio > 0 && ThreadLocalRandom.current().nextDouble() < failureRatio) {
      send(ex, 200, page("<p class=\"error\">" + ResultPage.NOT_TEXT + "</p>"));
      return;
    }
    WordCounts counts = text.isEmpty() ? new WordCounts(0, 0) : WordCounts.of(text);
    String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STORED_NAME);
    // The text as decoded, written back as UTF-8 (the app's text-mode write): the uploaded bytes, and a second
    // upload with the same counts in the same second replaces the first (the contract's overwrite quirk).
    try {
      Files.writeString(uploads.resolve(stamp + "-" + counts.words() + "-" + counts.uniqueWords() + ".txt"), text);
    } catch (IOException e) {
      send(ex, 200, page("<p class=\"error\">" + ResultPage.NOT_TEXT + "</p>")); // disk full, permissions
      return;
    }
    String banner = text.isEmpty()
        ? "File Received... But it was empty. Word Count:0, Uniq-Word Count:0"
        : "File Received. Thanks! Word Count:" + counts.words() + ", Uniq-Word Count:" + counts.uniqueWords();
    StringBuilder list = new StringBuilder("<h3>Files Previously Uploaded</h3><ul>");
    for (Path p : storedFiles()) {
      list.append("<li>").append(p.getFileName()).append("</li>");
    }
    list.append("</ul>");
    send(ex, 200, page("<p class=\"result\">" + banner + "</p>" + list));
  }

  /** Empty when the body grows past the app's limit (a chunked upload without Content-Length). */
  private static Optional<byte[]> readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) != -1) {
      total += n;
      if (total > MAX_BODY) {
        return Optional.empty();
      }
      out.write(buf, 0, n);
    }
    return Optional.of(out.toByteArray());
  }

  private record Part(String filename, byte[] content) {}

  /** The {@code new_file} part of a multipart/form-data body, if there is one. */
  static Optional<Part> filePart(String contentType, byte[] body) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      return Optional.empty();
    }
    Matcher bm = BOUNDARY.matcher(contentType);
    if (!bm.find()) {
      return Optional.empty();
    }
    byte[] delimiter = ("--" + (bm.group(1) != null ? bm.group(1) : bm.group(2))).getBytes(StandardCharsets.ISO_8859_1);
    List<Integer> marks = new ArrayList<>();
    for (int i = indexOf(body, delimiter, 0); i >= 0; i = indexOf(body, delimiter, i + delimiter.length)) {
      marks.add(i);
    }
    for (int k = 0; k + 1 < marks.size(); k++) {
      int partStart = marks.get(k) + delimiter.length + 2; // skip CRLF after the delimiter
      int partEnd = marks.get(k + 1) - 2; // CRLF before the next delimiter
      int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), partStart);
      if (headerEnd < 0 || headerEnd > partEnd) {
        continue;
      }
      String headers = new String(body, partStart, headerEnd - partStart, StandardCharsets.UTF_8);
      Matcher name = DISPOSITION_NAME.matcher(headers);
      if (name.find() && name.group(1).equals("new_file")) {
        Matcher fn = DISPOSITION_FILENAME.matcher(headers);
        String filename = fn.find() ? fn.group(1) : "";
        int contentStart = headerEnd + 4;
        byte[] content = new byte[Math.max(0, partEnd - contentStart)];
        System.arraycopy(body, contentStart, content, 0, content.length);
        return Optional.of(new Part(filename, content));
      }
    }
    return Optional.empty();
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String page(String content) {
    return "<!doctype html><html><head><title>File Upload</title></head><body>"
        + "<h1>File Word Counter. Upload if you dare.</h1>" + content
        + "<form method=\"post\" action=\"/file_upload\" enctype=\"multipart/form-data\">"
        + "<input type=\"file\" name=\"new_file\"><input type=\"submit\" value=\"Upload\"></form></body></html>";
  }

  private static void send(HttpExchange ex, int status, String html) throws IOException {
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
