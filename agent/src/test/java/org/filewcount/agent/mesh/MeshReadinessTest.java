package org.filewcount.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The readiness wait of MeshSplitIT against a loopback server that behaves like a mesh coming up: the first
 * connections are accepted and closed at once (a published port whose listener is not bound yet), then
 * Consul's health lists one sidecar before both, and the client sidecar answers 503 before 200.
 */
class MeshReadinessTest {

  private static final Set<String> SIDECARS = Set.of("filewcount-v1-sidecar-proxy", "filewcount-v2-sidecar-proxy");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MeshComingUp mesh;

  @AfterEach
  void stop() throws IOException {
    mesh.close();
  }

  @Test
  void waitsThroughClosedConnectionsAPartialHealthListAndA503() throws Exception {
    mesh = new MeshComingUp(3, 2, 2);

    MeshReadiness.awaitReady(http, mesh.uri("/v1/health/connect/filewcount?passing"), SIDECARS, mesh.uri("/"),
        Duration.ofSeconds(30));

    assertThat(mesh.closedUnanswered.get()).isEqualTo(3);
    assertThat(mesh.healthAnswers.get()).isEqualTo(5); // 2 partial, then one before each client request
    assertThat(mesh.clientAnswers.get()).isEqualTo(3);
  }

  /** HTTP/1.1 on a loopback port, one request per connection. */
  private static final class MeshComingUp implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger closedUnanswered = new AtomicInteger();
    private final AtomicInteger healthAnswers = new AtomicInteger();
    private final AtomicInteger clientAnswers = new AtomicInteger();

    MeshComingUp(int closeFirst, int partialHealth, int unavailable) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(() -> serve(closeFirst, partialHealth, unavailable), "mesh-coming-up");
      t.setDaemon(true);
      t.start();
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    private void serve(int closeFirst, int partialHealth, int unavailable) {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          String requestLine = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
          if (requestLine == null || closedUnanswered.get() < closeFirst) {
            closedUnanswered.incrementAndGet();
            continue; // closed without a byte of answer
          }
          if (requestLine.contains("/v1/health/connect/")) {
            String body = healthAnswers.incrementAndGet() <= partialHealth
                ? "[{\"Service\":{\"ID\":\"filewcount-v1-sidecar-proxy\"}}]"
                : "[{\"Service\":{\"ID\":\"filewcount-v1-sidecar-proxy\"}},{\"Service\":{\"ID\":\"filewcount-v2-sidecar-proxy\"}}]";
            answer(s.getOutputStream(), "200 OK", body);
          } else {
            answer(s.getOutputStream(), clientAnswers.incrementAndGet() <= unavailable ? "503 Service Unavailable" : "200 OK",
                "through the mesh");
          }
        } catch (IOException e) {
          // closed by close(), or a client that went away: the next accept decides
        }
      }
    }

    private static void answer(OutputStream out, String status, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
