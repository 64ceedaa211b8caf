package org.filewcount.agent.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.registry.StubConsul;

/**
 * One Consul address for agents and the {@code rollout} CLI: the lead's {@link StubConsul} keeps the
 * agent API (register, TTL, maintenance, services, health), and this front adds what it lacks, following
 * the Consul docs:
 *
 * <ul>
 *   <li>config entries: {@code GET /v1/config/:kind/:name} (404 when absent; blocking with
 *       {@code ?index=&wait=}), {@code PUT /v1/config?cas=N} answering {@code true}/{@code false}, with
 *       CreateIndex/ModifyIndex kept like the server does;
 *   <li>HTTP checks that are really run: in {@code /v1/health/service/:name} each registered HTTP check's
 *       status is what a GET of its URL answers now (2xx passing, else critical), as the Consul agent
 *       would report it, instead of the stub's static status.
 * </ul>
 * Everything else is passed to the stub unchanged.
 */
final class ConsulWithConfigEntries implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CAS = Pattern.compile("(?:^|&)cas=(\\d+)");
  private static final Pattern INDEX = Pattern.compile("(?:^|&)index=(\\d+)");

  /** A config entry write as Consul accepted it, with when. */
  record Write(long atNanos, String kind, String name, JsonNode body) {}

  private final StubConsul agents;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "consul-front");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Map<String, ObjectNode> entries = new ConcurrentHashMap<>();
  private final List<Write> writes = new CopyOnWriteArrayList<>();
  private long index = 1;

  ConsulWithConfigEntries(StubConsul agents) throws IOException {
    this.agents = agents;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  URI address() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  Optional<ObjectNode> entry(String kind, String name) {
    return Optional.ofNullable(entries.get(kind + "/" + name)).map(ObjectNode::deepCopy);
  }

  List<Write> writes() {
    return List.copyOf(writes);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
      String method = ex.getRequestMethod();
      if (path.equals("/v1/config") && method.equals("PUT")) {
        put(ex, query);
      } else if (path.startsWith("/v1/config/") && method.equals("GET")) {
        get(ex, path.substring("/v1/config/".length()), query);
      } else if (path.startsWith("/v1/health/service/") && method.equals("GET")) {
        health(ex, path, query);
      } else {
        forward(ex, method, path, query);
      }
    } catch (Exception e) {
      send(ex, 500, "text/plain", "front failure: " + e);
    }
  }

  private void put(HttpExchange ex, String query) throws IOException {
    ObjectNode body = (ObjectNode) JSON.readTree(ex.getRequestBody());
    String key = body.path("Kind").asText() + "/" + body.path("Name").asText();
    boolean written;
    synchronized (this) {
      ObjectNode current = entries.get(key);
      long currentIndex = current == null ? 0 : current.path("ModifyIndex").asLong();
      Matcher cas = CAS.matcher(query);
      if (cas.find() && Long.parseLong(cas.group(1)) != currentIndex) {
        written = false;
      } else {
        index++;
        body.put("CreateIndex", current == null ? index : current.path("CreateIndex").asLong());
        body.put("ModifyIndex", index);
        entries.put(key, body);
        writes.add(new Write(System.nanoTime(), body.path("Kind").asText(), body.path("Name").asText(), body));
        written = true;
        notifyAll();
      }
    }
    send(ex, 200, "application/json", Boolean.toString(written));
  }

  private void get(HttpExchange ex, String kindName, String query) throws Exception {
    Matcher idx = INDEX.matcher(query);
    if (idx.find()) {
      long wanted = Long.parseLong(idx.group(1));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      synchronized (this) {
        while (index == wanted && System.nanoTime() < deadline) {
          wait(200);
        }
      }
    }
    ObjectNode e = entries.get(URI.create("/" + kindName).getPath().substring(1));
    ex.getResponseHeaders().set("X-Consul-Index", Long.toString(currentIndex()));
    if (e == null) {
      send(ex, 404, "text/plain", "Config entry not found for \"" + kindName + "\"");
    } else {
      send(ex, 200, "application/json", JSON.writeValueAsString(e));
    }
  }

  private synchronized long currentIndex() {
    return index;
  }

  private void health(HttpExchange ex, String path, String query) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(agents.address().resolve(path + (query.isEmpty() ? "" : "?" + query)))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      send(ex, r.statusCode(), "text/plain", r.body());
      return;
    }
    ArrayNode list = (ArrayNode) JSON.readTree(r.body());
    for (JsonNode entry : list) {
      ObjectNode def = agents.service(entry.path("Service").path("ID").asText());
      for (JsonNode check : entry.path("Checks")) {
        String url = httpCheckUrl(def, check.path("CheckID").asText());
        if (url != null) {
          ((ObjectNode) check).put("Status", probe(url) ? "passing" : "critical");
        }
      }
    }
    ex.getResponseHeaders().set("X-Consul-Index", Long.toString(currentIndex()));
    send(ex, 200, "application/json", JSON.writeValueAsString(list));
  }

  private static String httpCheckUrl(ObjectNode def, String checkId) {
    if (def == null) {
      return null;
    }
    for (JsonNode c : def.path("Checks")) {
      if (c.path("CheckID").asText().equals(checkId) && c.has("HTTP")) {
        return c.get("HTTP").asText();
      }
    }
    return null;
  }

  private boolean probe(String url) {
    try {
      int s = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
      return s >= 200 && s < 300;
    } catch (Exception e) {
      return false;
    }
  }

  private void forward(HttpExchange ex, String method, String path, String query) throws Exception {
    byte[] body = ex.getRequestBody().readAllBytes();
    HttpRequest.Builder b = HttpRequest.newBuilder(agents.address().resolve(path + (query.isEmpty() ? "" : "?" + query)))
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    String token = ex.getRequestHeaders().getFirst("X-Consul-Token");
    if (token != null) {
      b.header("X-Consul-Token", token);
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    r.headers().firstValue("X-Consul-Index").ifPresent(v -> ex.getResponseHeaders().set("X-Consul-Index", v));
    ex.getResponseHeaders().set("Content-Type", r.headers().firstValue("Content-Type").orElse("text/plain"));
    ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
    if (r.body().length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(r.body());
      }
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
