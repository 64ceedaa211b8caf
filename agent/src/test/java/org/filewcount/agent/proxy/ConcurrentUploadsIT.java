package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.app.WordCounts;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.Multipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streaming, measured from outside: the packaged agent ({@code run}: proxy, telemetry reading each result
 * page, probe, registration loop) runs in a child JVM capped at a 64 MiB heap (Netty's direct memory
 * defaults to the same cap) while 32 clients upload just under 10 MiB each at once, 320 MiB in flight.
 * An aggregating proxy would need five times its heap; a streaming one holds a few socket buffers per
 * connection. Every upload must reach the app whole and come back counted. No Consul answers: the agent
 * proxies whether or not it is registered.
 */
class ConcurrentUploadsIT {

  private static final int CLIENTS = 32;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void thirtyTwoConcurrentTenMebibyteUploadsThroughA64MiBHeapProxyAllSucceed() throws Exception {
    byte[] text = text(ProxySettings.APP_MAX_BODY_BYTES - 4096);
    Multipart form = Multipart.upload("big.txt", text);
    byte[] body = form.bytes();
    assertThat((long) body.length).isLessThanOrEqualTo(ProxySettings.APP_MAX_BODY_BYTES);
    WordCounts expected = WordCounts.of(new String(text, StandardCharsets.UTF_8));

    try (FilewcountStandIn app = FilewcountStandIn.start()) {
      Path log = Files.createTempFile(org.filewcount.agent.testing.TargetFiles.folder(), "agent-child", ".log");
      int port = freePort();
      int admin = freePort();
      ProcessBuilder pb = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
          "-jar", System.getProperty("agent.jar"), "run",
          "--app-url", app.url().toString(),
          "--listen", "127.0.0.1:" + port,
          "--admin", "127.0.0.1:" + admin,
          "--consul", "http://127.0.0.1:" + freePort(),
          // One probe at start-up, none during the uploads: the app's upload count is then ours alone.
          "--probe-interval", "10m")
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      // Spans are built and exported as in production, to an endpoint that is not there.
      pb.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + freePort());
      Process child = pb.start();
      try {
        awaitReady(child, admin);
        long uploadsBefore = app.uploadCount();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/file_upload"))
            .header("Content-Type", form.contentType())
            .timeout(Duration.ofSeconds(150))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
        long t0 = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> uploads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          uploads.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        String banner = "File Received. Thanks! Word Count:" + expected.words()
            + ", Uniq-Word Count:" + expected.uniqueWords();
        for (CompletableFuture<HttpResponse<String>> upload : uploads) {
          HttpResponse<String> r = upload.get();
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.body()).contains(banner);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(child.isAlive()).as("agent JVM still running (no OutOfMemoryError): %s", Files.readString(log))
            .isTrue();
        assertThat(app.uploadCount() - uploadsBefore).isEqualTo(CLIENTS);
        System.out.printf("%d x %d bytes through the agent at -Xmx64m in %d ms; agent peak RSS %s%n",
            CLIENTS, body.length, ms, peakRss(child.pid()));
      } finally {
        child.destroy();
        if (!child.waitFor(15, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
    }
  }

  /** Words of 100 letters and a newline now and then: cheap for the stand-in to count, like a real text file. */
  private static byte[] text(long size) {
    StringBuilder sb = new StringBuilder((int) size);
    String word = "streaming".repeat(11) + "x";
    int n = 0;
    while (sb.length() + word.length() + 1 <= size) {
      sb.append(word).append(++n % 10 == 0 ? '\n' : ' ');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Ready = the proxy is bound and the first functional probe has passed. */
  private static void awaitReady(Process child, int admin) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health/ready")).build();
    await("agent ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .failFast("agent exited", () -> !child.isAlive())
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  private static String peakRss(long pid) {
    File status = new File("/proc/" + pid + "/status");
    try {
      return Files.readAllLines(status.toPath()).stream()
          .filter(l -> l.startsWith("VmHWM:")).map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
