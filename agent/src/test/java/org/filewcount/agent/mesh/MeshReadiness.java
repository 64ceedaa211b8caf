package org.filewcount.agent.mesh;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * When a mesh under test is ready for measuring: Consul lists every expected sidecar as passing in
 * {@code /v1/health/connect/<service>?passing} (their TCP check passes once Envoy has its public listener,
 * so Consul has sent it a snapshot), and one request through the client's sidecar answers 200 (its
 * upstream listener, route and endpoints are in place too).
 *
 * <p>IOException is ignored while waiting: until Envoy binds a listener, Docker's published port refuses
 * the connection or (through docker-proxy) accepts and closes it, which Java's HttpClient reports as
 * "HTTP/1.1 header parser received no bytes"; not ignoring it would end the wait at the first try. A 503
 * (no healthy upstream yet) just polls again.
 */
final class MeshReadiness {

  private static final ObjectMapper JSON = new ObjectMapper();

  private MeshReadiness() {}

  /**
   * @param passingHealth e.g. {@code http://consul:8500/v1/health/connect/filewcount?passing}
   * @param sidecarIds the sidecar service IDs that must all be listed
   * @param throughClient a URL served through the client sidecar's upstream listener
   */
  static void awaitReady(HttpClient http, URI passingHealth, Set<String> sidecarIds, URI throughClient, Duration atMost) {
    await("sidecars " + sidecarIds + " passing in " + passingHealth + ", then 200 from " + throughClient)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> passing(http, passingHealth).containsAll(sidecarIds)
            && status(http, throughClient) == 200);
  }

  private static Set<String> passing(HttpClient http, URI health) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    Set<String> ids = new HashSet<>();
    if (r.statusCode() == 200) {
      for (JsonNode entry : JSON.readTree(r.body())) {
        ids.add(entry.path("Service").path("ID").asText());
      }
    }
    return ids;
  }

  private static int status(HttpClient http, URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
