package org.filewcount.agent.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.filewcount.agent.testing.Multipart;

/**
 * Open-loop load at a fixed rate (requests leave on schedule whether or not earlier ones finished, as
 * real clients do), bounded in count and time, loopback only. Every request is checked: a request
 * fails when it gets an unexpected status, a body without the expected marker (a cut upload), or an
 * I/O error. Each exchange is kept with its send and completion times so tests can relate them to
 * events (maintenance, deregistration, exit).
 */
final class LoadGenerator implements AutoCloseable {

  /** One request and what its answer must contain. */
  record Shot(String kind, HttpRequest request, int expectedStatus, String expectedMarker) {}

  /** One finished exchange; {@code error} is null when it succeeded. */
  record Exchange(int index, String kind, long sentNanos, long doneNanos, int status, String error) {
    boolean failed() {
      return error != null;
    }

    long latencyNanos() {
      return doneNanos - sentNanos;
    }
  }

  static final String PAGE_MARKER = "File Word Counter. Upload if you dare.";
  static final String UPLOAD_MARKER = "File Received. Thanks!";

  private final HttpClient http;
  private final ExecutorService callbacks = Executors.newFixedThreadPool(4, daemon("load-callback"));
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("load-ticker"));
  private final Queue<Exchange> done = new ConcurrentLinkedQueue<>();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicBoolean sending = new AtomicBoolean();
  private volatile long stoppedAtNanos;

  LoadGenerator() {
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
        .executor(callbacks).build();
  }

  /** A small GET of the upload form. */
  static Shot page(URI proxy) {
    return new Shot("GET /", HttpRequest.newBuilder(proxy.resolve("/")).timeout(Duration.ofSeconds(30)).build(),
        200, PAGE_MARKER);
  }

  /** A multipart upload of {@code size} bytes of text ending in a newline. */
  static Shot upload(URI proxy, int size) {
    Multipart m = Multipart.upload("load.txt", text(size));
    return new Shot("upload " + size + " B", HttpRequest.newBuilder(proxy.resolve("/file_upload"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", m.contentType()).POST(m.publisher()).build(),
        200, UPLOAD_MARKER);
  }

  static byte[] text(int size) {
    byte[] b = new byte[size];
    byte[] word = "lorem ipsum dolor sit amet ".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < size; i++) {
      b[i] = word[i % word.length];
    }
    b[size - 1] = '\n';
    return b;
  }

  /**
   * Sends {@code perSecond} requests a second, shot {@code i} from {@code shots}, until {@code max}
   * were sent, {@link #stopSending()} is called, or {@code keepSending} turns false.
   */
  void start(int perSecond, int max, java.util.function.IntFunction<Shot> shots, BooleanSupplier keepSending) {
    sending.set(true);
    long periodMicros = 1_000_000L / perSecond;
    ticker.scheduleAtFixedRate(() -> {
      if (!sending.get()) {
        return;
      }
      if (sent.get() >= max || !keepSending.getAsBoolean()) {
        stopSending();
        return;
      }
      fire(sent.getAndIncrement(), shots);
    }, 0, periodMicros, TimeUnit.MICROSECONDS);
  }

  private void fire(int index, java.util.function.IntFunction<Shot> shots) {
    Shot shot = shots.apply(index);
    outstanding.incrementAndGet();
    long t0 = System.nanoTime();
    http.sendAsync(shot.request(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
      long t1 = System.nanoTime();
      String error;
      int status = r == null ? 0 : r.statusCode();
      if (e != null) {
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      } else if (status != shot.expectedStatus()) {
        error = "status " + status;
      } else if (!r.body().contains(shot.expectedMarker())) {
        error = "body without '" + shot.expectedMarker() + "' (" + r.body().length() + " chars)";
      } else {
        error = null;
      }
      done.add(new Exchange(index, shot.kind(), t0, t1, status, error));
      outstanding.decrementAndGet();
    });
  }

  void stopSending() {
    if (sending.compareAndSet(true, false)) {
      stoppedAtNanos = System.nanoTime();
    }
  }

  long stoppedAtNanos() {
    return stoppedAtNanos;
  }

  int sent() {
    return sent.get();
  }

  /** Waits until sending stopped and every sent request finished (or timed out on its own). */
  List<Exchange> awaitAll(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while ((sending.get() || outstanding.get() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (sending.get() || outstanding.get() > 0) {
      throw new AssertionError("load did not finish within " + atMost + ": " + outstanding.get() + " outstanding");
    }
    List<Exchange> all = new ArrayList<>(done);
    all.sort((a, b) -> Integer.compare(a.index(), b.index()));
    return all;
  }

  static List<Exchange> failures(List<Exchange> all) {
    return all.stream().filter(Exchange::failed).toList();
  }

  /** Latency percentile in milliseconds over the successful exchanges. */
  static double percentileMillis(List<Exchange> all, double p) {
    long[] l = all.stream().filter(x -> !x.failed()).mapToLong(Exchange::latencyNanos).sorted().toArray();
    if (l.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * l.length) - 1;
    return l[Math.max(0, Math.min(l.length - 1, i))] / 1e6;
  }

  static String summary(List<Exchange> failures) {
    return failures.stream().limit(10).map(Exchange::toString).toList()
        + (failures.size() > 10 ? " and " + (failures.size() - 10) + " more" : "");
  }

  @Override
  public void close() {
    stopSending();
    ticker.shutdownNow();
    callbacks.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
