package org.filewcount.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stand-in must behave like the contract, or every test built on it proves nothing. */
class FilewcountStandInTest {

  static FilewcountStandIn app;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    app = FilewcountStandIn.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private HttpResponse<String> post(Multipart m) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(app.url().resolve("/file_upload"))
        .header("Content-Type", m.contentType()).POST(m.publisher()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void formOnGet() throws Exception {
    for (String path : new String[] {"/", "/file_upload"}) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.url().resolve(path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("<title>File Upload</title>", "File Word Counter. Upload if you dare.");
    }
  }

  @Test
  void countsWithTheOffByOneQuirk() throws Exception {
    assertThat(post(Multipart.upload("a.txt", "hello world\n".getBytes(StandardCharsets.UTF_8))).body())
        .contains("File Received. Thanks! Word Count:2, Uniq-Word Count:2");
    assertThat(post(Multipart.upload("a.txt", "hello world".getBytes(StandardCharsets.UTF_8))).body())
        .contains("Word Count:1, Uniq-Word Count:1");
    assertThat(post(Multipart.upload("a.txt", "a a a\n".getBytes(StandardCharsets.UTF_8))).body())
        .contains("Word Count:3, Uniq-Word Count:1");
  }

  @Test
  void bannerComesBeforeTheStoredFileList() throws Exception {
    String body = post(Multipart.upload("a.txt", "x y\n".getBytes(StandardCharsets.UTF_8))).body();
    assertThat(body.indexOf("File Received.")).isLessThan(body.indexOf("Files Previously Uploaded"));
    assertThat(app.storedFiles()).anyMatch(p -> p.getFileName().toString().matches("\\d{8}\\.\\d{6}-2-2\\.txt"));
  }

  @Test
  void emptyFileIsStoredAndCountedAsZero() throws Exception {
    HttpResponse<String> r = post(Multipart.upload("e.txt", new byte[0]));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("File Received... But it was empty. Word Count:0, Uniq-Word Count:0");
  }

  @Test
  void errorsComeBackAsOkPages() throws Exception {
    HttpResponse<String> missing = post(Multipart.upload("", "x\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(missing.statusCode()).isEqualTo(200);
    assertThat(missing.body()).contains("Missing File");
    HttpResponse<String> binary = post(Multipart.upload("b.bin", new byte[] {(byte) 0xff, (byte) 0xfe, 0x41}));
    assertThat(binary.statusCode()).isEqualTo(200);
    assertThat(binary.body()).contains("Problem parsing uploaded file. Is it TEXT?");
  }

  @Test
  void withoutTheFilePartIsBadRequest() throws Exception {
    assertThat(post(new Multipart().field("other", "x")).statusCode()).isEqualTo(400);
  }

  @Test
  void overTenMebibytesIsTooLarge() throws Exception {
    byte[] big = new byte[(int) FilewcountStandIn.MAX_BODY + 1];
    Arrays.fill(big, (byte) 'a');
    assertThat(post(Multipart.upload("big.txt", big)).statusCode()).isEqualTo(413);
  }

  @Test
  void unknownPathIsNotFound() throws Exception {
    assertThat(http.send(HttpRequest.newBuilder(app.url().resolve("/nope.css")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }
}
