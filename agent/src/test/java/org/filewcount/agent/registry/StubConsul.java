package org.filewcount.agent.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stub of the local Consul agent's HTTP API on WireMock that keeps state the way the real agent
 * does (docs: /v1/agent/service/register, /deregister/:id, /maintenance/:id, /v1/agent/check/pass/:id,
 * /v1/agent/services, /v1/health/service/:name), so tests can check behaviour (re-registration
 * after the service vanishes) rather than a canned sequence. KV and sessions are {@link StubConsulKv}. WireMock's journal records every call
 * with its headers for the assertions on order and on the token.
 */
public final class StubConsul implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final WireMockServer server;
  private final int port;
  private final boolean https;
  private final Map<String, ObjectNode> services = new ConcurrentHashMap<>();
  /** check ID -> status; maintenance adds _service_maintenance:ID like the real agent. */
  private final Map<String, String> checks = new ConcurrentHashMap<>();
  private final Map<String, String> checkOwner = new ConcurrentHashMap<>();
  private volatile int failWith;
  private final StubConsulKv kv = new StubConsulKv();

  public StubConsul() {
    this(0);
  }

  public StubConsul(int port) {
    this(wireMockConfig().bindAddress("127.0.0.1").port(port), false);
  }

  private StubConsul(com.github.tomakehurst.wiremock.core.WireMockConfiguration config, boolean https) {
    server = new WireMockServer(config.extensions(new Agent()));
    server.start();
    this.https = https;
    this.port = https ? server.httpsPort() : server.port();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(Agent.NAME)));
  }

  /** Consul's HTTPS listener only, with the certificate in this PKCS12 keystore. */
  public static StubConsul https(java.nio.file.Path keystore, String password) {
    return new StubConsul(wireMockConfig().bindAddress("127.0.0.1").httpDisabled(true).httpsPort(0)
        .keystorePath(keystore.toString()).keystoreType("PKCS12").keystorePassword(password)
        .keyManagerPassword(password), true);
  }

  public URI address() {
    return URI.create((https ? "https" : "http") + "://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /** Makes every call answer this status (500 = Consul has no leader, etc.); 0 restores service. */
  public void failWith(int status) {
    this.failWith = status;
  }

  /** Forgets everything, as a restarted {@code consul agent -dev} does. */
  public void forgetEverything() {
    services.clear();
    checks.clear();
    checkOwner.clear();
  }

  /** Removes one service behind the agent's back, as {@code consul services deregister} does. */
  public void removeService(String id) {
    deregister(id);
  }

  public boolean hasService(String id) {
    return services.containsKey(id);
  }

  public ObjectNode service(String id) {
    return services.get(id);
  }

  public String checkStatus(String checkId) {
    return checks.get(checkId);
  }

  public void stop() {
    server.stop();
  }

  /** Starts again on the same port, keeping state (Consul came back). */
  public void restart() {
    server.start();
  }

  public List<LoggedRequest> requests() {
    List<LoggedRequest> all = new ArrayList<>();
    for (ServeEvent e : server.getAllServeEvents()) {
      all.add(e.getRequest());
    }
    java.util.Collections.reverse(all);
    return all;
  }

  /** "PUT /v1/agent/service/register" style lines, oldest first, with the query string. */
  public List<String> calls() {
    return requests().stream().map(r -> r.getMethod() + " " + r.getUrl()).toList();
  }

  public void resetJournal() {
    server.resetRequests();
  }

  @Override
  public void close() {
    server.stop();
  }

  private void deregister(String id) {
    services.remove(id);
    Iterator<Map.Entry<String, String>> it = checkOwner.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, String> e = it.next();
      if (e.getValue().equals(id)) {
        checks.remove(e.getKey());
        it.remove();
      }
    }
  }

  private ResponseDefinition handle(Request request) throws Exception {
    if (failWith != 0) {
      return respond(failWith, "Unexpected response code: " + failWith + " (No cluster leader)");
    }
    String path = URI.create(request.getUrl()).getRawPath();
    String method = request.getMethod().getName();
    if (method.equals("PUT") && path.equals("/v1/agent/service/register")) {
      ObjectNode def = (ObjectNode) JSON.readTree(request.getBodyAsString());
      String id = def.path("ID").asText(def.path("Name").asText());
      deregister(id);
      services.put(id, def);
      for (JsonNode c : def.path("Checks")) {
        String checkId = c.path("CheckID").asText();
        checks.put(checkId, c.path("Status").asText("critical"));
        checkOwner.put(checkId, id);
      }
      return respond(200, "");
    }
    if (method.equals("PUT") && path.startsWith("/v1/agent/service/deregister/")) {
      String id = decode(path.substring("/v1/agent/service/deregister/".length()));
      if (!services.containsKey(id)) {
        return respond(404, "Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name.");
      }
      deregister(id);
      return respond(200, "");
    }
    if (method.equals("PUT") && path.startsWith("/v1/agent/service/maintenance/")) {
      String id = decode(path.substring("/v1/agent/service/maintenance/".length()));
      if (!services.containsKey(id)) {
        return respond(404, "Unknown service ID \"" + id + "\"");
      }
      String enable = request.queryParameter("enable").isPresent() ? request.queryParameter("enable").firstValue() : "";
      if (!enable.equals("true") && !enable.equals("false")) {
        return respond(400, "Missing value for enable");
      }
      String checkId = "_service_maintenance:" + id;
      if (enable.equals("true")) {
        checks.put(checkId, "critical");
        checkOwner.put(checkId, id);
      } else {
        checks.remove(checkId);
        checkOwner.remove(checkId);
      }
      return respond(200, "");
    }
    if (method.equals("PUT") && path.startsWith("/v1/agent/check/pass/")) {
      String checkId = decode(path.substring("/v1/agent/check/pass/".length()));
      if (!checks.containsKey(checkId)) {
        return respond(404, "Unknown check ID \"" + checkId + "\". Ensure that the check ID is passed, not the check name.");
      }
      checks.put(checkId, "passing");
      return respond(200, "");
    }
    if (method.equals("GET") && path.equals("/v1/agent/services")) {
      ObjectNode out = JSON.createObjectNode();
      services.forEach((id, def) -> out.set(id, agentService(def)));
      return json(out);
    }
    if (method.equals("GET") && path.startsWith("/v1/health/service/")) {
      String name = decode(path.substring("/v1/health/service/".length()));
      ArrayNode out = JSON.createArrayNode();
      for (ObjectNode def : services.values()) {
        if (!def.path("Name").asText().equals(name)) {
          continue;
        }
        ObjectNode entry = out.addObject();
        ObjectNode node = entry.putObject("Node");
        node.put("Node", "stub-node");
        node.put("Address", "127.0.0.1");
        node.put("Datacenter", "dc1");
        entry.set("Service", agentService(def));
        ArrayNode cs = entry.putArray("Checks");
        for (Map.Entry<String, String> c : new LinkedHashMap<>(checkOwner).entrySet()) {
          if (!c.getValue().equals(def.path("ID").asText())) {
            continue;
          }
          ObjectNode check = cs.addObject();
          check.put("Node", "stub-node");
          check.put("CheckID", c.getKey());
          check.put("Name", c.getKey().startsWith("_service_maintenance") ? "Service Maintenance Mode"
              : nameOf(def, c.getKey()));
          check.put("Status", checks.getOrDefault(c.getKey(), "critical"));
          check.put("Notes", "");
          check.put("Output", "");
          check.put("ServiceID", def.path("ID").asText());
          check.put("ServiceName", name);
          check.putArray("ServiceTags");
        }
      }
      return json(out);
    }
    if (path.startsWith("/v1/kv/") || path.startsWith("/v1/session/")) {
      Map<String, String> query = new LinkedHashMap<>();
      String raw = URI.create(request.getUrl()).getRawQuery();
      for (String pair : raw == null ? new String[0] : raw.split("&")) {
        int eq = pair.indexOf('=');
        query.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
      StubConsulKv.Answer a = kv.handle(method, path, query, request.getBodyAsString());
      ResponseDefinitionBuilder b = new ResponseDefinitionBuilder().withStatus(a.status())
          .withHeader("Content-Type", a.status() == 200 ? "application/json" : "text/plain; charset=utf-8")
          .withBody(a.body());
      if (a.index() > 0) {
        b.withHeader("X-Consul-Index", Long.toString(a.index()));
      }
      return b.build();
    }
    return respond(404, "stub Consul: no such endpoint " + method + " " + path);
  }

  /** The KV store and sessions behind /v1/kv and /v1/session. */
  public StubConsulKv kv() {
    return kv;
  }

  private static String nameOf(ObjectNode def, String checkId) {
    for (JsonNode c : def.path("Checks")) {
      if (c.path("CheckID").asText().equals(checkId)) {
        return c.path("Name").asText();
      }
    }
    return checkId;
  }

  /** The shape GET /v1/agent/services returns: "Service" instead of "Name", checks left out. */
  private static ObjectNode agentService(ObjectNode def) {
    ObjectNode s = JSON.createObjectNode();
    s.put("ID", def.path("ID").asText());
    s.put("Service", def.path("Name").asText());
    if (def.has("Kind")) {
      s.put("Kind", def.path("Kind").asText());
    }
    s.set("Tags", def.path("Tags").isMissingNode() ? JSON.createArrayNode() : def.path("Tags"));
    s.set("Meta", def.path("Meta").isMissingNode() ? JSON.createObjectNode() : def.path("Meta"));
    s.put("Port", def.path("Port").asInt());
    s.put("Address", def.path("Address").asText(""));
    if (def.has("Weights")) {
      s.set("Weights", def.get("Weights"));
    }
    s.put("EnableTagOverride", false);
    s.put("ContentHash", Integer.toHexString(def.hashCode()));
    s.put("Datacenter", "dc1");
    return s;
  }

  private static ResponseDefinition json(JsonNode body) throws Exception {
    return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/json")
        .withHeader("X-Consul-Index", "1").withBody(JSON.writeValueAsString(body)).build();
  }

  private static ResponseDefinition respond(int status, String body) {
    return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "text/plain; charset=utf-8")
        .withBody(body).build();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private final class Agent implements ResponseDefinitionTransformerV2 {
    static final String NAME = "stub-consul-agent";

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
      try {
        return handle(serveEvent.getRequest());
      } catch (Exception e) {
        return respond(500, "stub failure: " + e);
      }
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public String getName() {
      return NAME;
    }
  }
}
