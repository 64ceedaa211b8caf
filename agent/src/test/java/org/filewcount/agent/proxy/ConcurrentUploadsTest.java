package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * Streaming, measured from outside: the proxy runs in a child JVM capped at a 64 MiB heap (Netty's
 * direct memory defaults to the same cap) while 32 clients upload just under 10 MiB each at once,
 * 320 MiB in flight. An aggregating proxy would need five times its heap; a streaming one holds a
 * few socket buffers per connection. Every upload must reach the app whole and come back counted.
 */
class ConcurrentUploadsTest {

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
      Path log = Files.createTempFile("proxy-child", ".log");
      Process child = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
          "-cp", System.getProperty("java.class.path"),
          ProxyTestMain.class.getName(), app.url().toString())
          .redirectError(log.toFile())
          .start();
      try {
        int port = awaitPort(child, log);
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
        assertThat(child.isAlive()).as("proxy child JVM still running (no OutOfMemoryError)").isTrue();
        assertThat(app.uploadCount()).isEqualTo(CLIENTS);
        System.out.printf("%d x %d bytes through the proxy at -Xmx64m in %d ms; proxy peak RSS %s%n",
            CLIENTS, body.length, ms, peakRss(child.pid()));
      } finally {
        child.getOutputStream().close();
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
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

  private static int awaitPort(Process child, Path log) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("LISTENING ")) {
      seen.append(line).append('\n'); // logging set-up chatter before the proxy binds
    }
    if (line == null) {
      throw new IllegalStateException("proxy child did not start:\n" + seen + Files.readString(log));
    }
    return Integer.parseInt(line.substring("LISTENING ".length()).trim());
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
