package org.filewcount.agent.testing;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Builds the multipart/form-data bodies a browser sends to filewcount, for tests. */
public final class Multipart {

  private final String boundary = "----filewcount" + UUID.randomUUID().toString().replace("-", "");
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();

  public static Multipart upload(String filename, byte[] content) {
    return new Multipart().file("new_file", filename, content);
  }

  public Multipart file(String field, String filename, byte[] content) {
    write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
        + "\"\r\nContent-Type: text/plain\r\n\r\n");
    body.writeBytes(content);
    write("\r\n");
    return this;
  }

  public Multipart field(String field, String value) {
    write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"\r\n\r\n" + value + "\r\n");
    return this;
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(body.toByteArray());
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  public HttpRequest.BodyPublisher publisher() {
    return HttpRequest.BodyPublishers.ofByteArray(bytes());
  }

  private void write(String s) {
    body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
