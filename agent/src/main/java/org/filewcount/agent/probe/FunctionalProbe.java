package org.filewcount.agent.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.app.WordCounts;
import org.filewcount.agent.net.HttpClients;

/**
 * Proves the whole app path works (nginx, uwsgi, Flask, the disk write) by doing what a user does:
 * upload a fixed text to {@code /file_upload} and check both counts in the result page. A
 * {@code GET /} would pass while uploads fail, since the app reports upload failures inside 200
 * pages.
 *
 * <p>Each probe stores one small file on the instance (the app keeps every upload). The text carries
 * a random token drawn once per agent process, so its exact bytes are this process's alone: that is
 * how {@link ProbeFileCleaner} tells the probe's own files from a user's (docs/agent.md).
 */
public final class FunctionalProbe {

  /** Ends in a newline so the app's off-by-one does not apply; repeated words test the unique count. */
  static final String TEMPLATE =
      "filewcount agent probe %s: the quick brown fox jumps over the lazy dog and the dog sleeps\n";

  /** Letters and digits only, so the token is one word for the app's {@code \W+} split. */
  private static final char[] TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  /** 26 characters of 32 symbols: 130 random bits, which nobody sends by chance or guesses. */
  static final int TOKEN_LENGTH = 26;

  /** The same for every token (one distinct word of its own), so the check needs no per-process value. */
  public static final WordCounts EXPECTED = WordCounts.of(text("x".repeat(TOKEN_LENGTH)));

  static final String FIELD = "new_file";
  static final String FILE_NAME = "filewcount-agent-probe.txt";

  private final URI uploadUrl;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;
  private final byte[] content;

  public FunctionalProbe(URI appUrl, Duration timeout, Clock clock) {
    this(appUrl, timeout, clock, randomToken(new SecureRandom()));
  }

  FunctionalProbe(URI appUrl, Duration timeout, Clock clock, String token) {
    this.content = text(token).getBytes(StandardCharsets.UTF_8);
    this.uploadUrl = appUrl.resolve("/file_upload");
    this.timeout = timeout;
    this.clock = clock;
    this.http = HttpClients.http1(timeout);
  }

  public URI uploadUrl() {
    return uploadUrl;
  }

  /** The exact bytes every probe of this process uploads, which the app stores as they are. */
  public byte[] content() {
    return content.clone();
  }

  /** Any agent's probe text (any token): the bytes of a file some agent's probe stored. */
  private static final java.util.regex.Pattern ANY_PROBE = java.util.regex.Pattern.compile(
      java.util.regex.Pattern.quote(TEMPLATE.substring(0, TEMPLATE.indexOf("%s")))
          + "[" + new String(TOKEN_ALPHABET) + "]{" + TOKEN_LENGTH + "}"
          + java.util.regex.Pattern.quote(TEMPLATE.substring(TEMPLATE.indexOf("%s") + 2)));

  /**
   * Whether these bytes are exactly what some agent process's probe uploads, whatever its token: the
   * uploads carry (ADR 0017) leaves such files behind, since no live agent would ever remove a copy.
   */
  public static boolean isAnyProbesText(byte[] bytes) {
    return bytes.length == text("x".repeat(TOKEN_LENGTH)).length()
        && ANY_PROBE.matcher(new String(bytes, StandardCharsets.ISO_8859_1)).matches();
  }

  static String text(String token) {
    return String.format(java.util.Locale.ROOT, TEMPLATE, token);
  }

  static String randomToken(SecureRandom random) {
    char[] token = new char[TOKEN_LENGTH];
    for (int i = 0; i < token.length; i++) {
      token[i] = TOKEN_ALPHABET[random.nextInt(TOKEN_ALPHABET.length)];
    }
    return new String(token);
  }

  /** Runs one probe; never throws (a failure is a result with the reason). */
  public ProbeResult run() {
    Instant at = clock.instant();
    long start = System.nanoTime();
    String detail;
    boolean passed = false;
    try {
      String boundary = "filewcount-probe-" + UUID.randomUUID();
      HttpRequest request = HttpRequest.newBuilder(uploadUrl)
          .timeout(timeout)
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .header("User-Agent", "filewcount-agent-probe")
          .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary)))
          .build();
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String prefix;
      try (InputStream body = response.body()) {
        // The banner precedes the (ever growing) list of stored files: a bounded prefix is enough.
        prefix = new String(readAtMost(body, ResultPage.BANNER_PREFIX_BYTES), StandardCharsets.UTF_8);
      }
      if (response.statusCode() != 200) {
        detail = "HTTP " + response.statusCode() + " from " + uploadUrl;
      } else {
        Optional<ResultPage.Banner> banner = ResultPage.parse(prefix);
        if (banner.isEmpty()) {
          detail = "no result banner in the first " + ResultPage.BANNER_PREFIX_BYTES + " bytes of the page";
        } else if (banner.get().error().isPresent()) {
          detail = "app error: " + banner.get().error().get();
        } else if (!banner.get().counts().equals(Optional.of(EXPECTED))) {
          detail = "wrong counts: expected Word Count:" + EXPECTED.words() + ", Uniq-Word Count:"
              + EXPECTED.uniqueWords() + ", got " + banner.get().counts().map(
                  c -> "Word Count:" + c.words() + ", Uniq-Word Count:" + c.uniqueWords()).orElse("none");
        } else {
          passed = true;
          detail = "ok";
        }
      }
    } catch (HttpTimeoutException e) {
      detail = "timed out after " + timeout.toMillis() + " ms: " + uploadUrl;
    } catch (ConnectException e) {
      detail = "connection refused: " + uploadUrl;
    } catch (IOException e) {
      detail = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ": " + uploadUrl;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      detail = "interrupted";
    }
    return new ProbeResult(passed, Duration.ofNanos(System.nanoTime() - start), detail, at);
  }

  byte[] multipart(String boundary) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"" + FIELD + "\"; filename=\"" + FILE_NAME + "\"\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return body.toByteArray();
  }

  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    while (out.size() < limit && (n = in.read(buf, 0, Math.min(buf.length, limit - out.size()))) > 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
