package org.filewcount.agent.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.config.TokenSource;
import org.filewcount.agent.net.HttpClients;
import org.filewcount.agent.rollout.NomadDeployments;
import org.filewcount.agent.split.ConsulTrafficControl;
import org.filewcount.agent.split.Json;

/**
 * Nomad's deployment API over java.net.http, configured like the {@code nomad} CLI: NOMAD_ADDR
 * (default http://127.0.0.1:4646), NOMAD_TOKEN (sent as X-Nomad-Token, never in the URL), NOMAD_CACERT,
 * NOMAD_NAMESPACE and NOMAD_REGION.
 */
public final class NomadClient implements NomadDeployments {

  public static final String DEFAULT_ADDRESS = "http://127.0.0.1:4646";

  private final URI base;
  private final Optional<Secret> token;
  private final Optional<String> namespace;
  private final Optional<String> region;
  private final HttpClient client;

  public NomadClient(URI base, Optional<Secret> token, Optional<Path> caCert, Optional<String> namespace,
      Optional<String> region) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.token = token;
    this.namespace = namespace;
    this.region = region;
    this.client = HttpClients.trusting(caCert, "NOMAD_CACERT", Duration.ofSeconds(5));
  }

  public static NomadClient fromEnvironment(Map<String, String> env) {
    String addr = nonBlank(env.get("NOMAD_ADDR")).orElse(DEFAULT_ADDRESS);
    URI uri;
    try {
      uri = URI.create(addr.contains("://") ? addr : "http://" + addr);
    } catch (IllegalArgumentException e) {
      throw new NomadSettingsException("NOMAD_ADDR '" + addr + "' is not a URL: use for example " + DEFAULT_ADDRESS);
    }
    if (uri.getHost() == null) {
      throw new NomadSettingsException("NOMAD_ADDR '" + addr + "' has no host: use for example " + DEFAULT_ADDRESS);
    }
    Optional<Path> ca = nonBlank(env.get("NOMAD_CACERT")).map(Path::of);
    ca.ifPresent(p -> {
      if (!Files.isReadable(p)) {
        throw new NomadSettingsException("NOMAD_CACERT points at " + p + ", which cannot be read: fix the path or unset it");
      }
    });
    // NOMAD_TOKEN as the nomad CLI reads it; a token file is accepted the way CONSUL_HTTP_TOKEN_FILE is.
    Optional<Secret> token = TokenSource.fromEnvironment(env, "NOMAD_TOKEN", "NOMAD_TOKEN_FILE");
    return new NomadClient(uri, token, ca, nonBlank(env.get("NOMAD_NAMESPACE")), nonBlank(env.get("NOMAD_REGION")));
  }

  @Override
  public String describe() {
    return "Nomad at " + base;
  }

  @Override
  public Optional<Deployment> latest(String job) {
    HttpResponse<String> r = send(request("/v1/job/" + ConsulTrafficControl.encode(job) + "/deployment").GET().build());
    if (r.statusCode() == 404) {
      throw new NomadSettingsException("Nomad has no job '" + job + "' (" + describe() + "): check --nomad-job,"
          + " NOMAD_ADDR and NOMAD_NAMESPACE");
    }
    check("reading the latest deployment of job " + job, r);
    JsonNode d = Json.parse(r.body());
    if (d.isNull() || d.isMissingNode() || !d.isObject()) {
      return Optional.empty();
    }
    boolean requiresPromotion = false;
    for (JsonNode g : d.path("TaskGroups")) {
      if (g.path("DesiredCanaries").asInt(0) > 0 && !g.path("Promoted").asBoolean(false)) {
        requiresPromotion = true;
      }
    }
    return Optional.of(new Deployment(d.path("ID").asText(), d.path("JobID").asText(), d.path("JobVersion").asLong(),
        d.path("Status").asText(), d.path("StatusDescription").asText(""), requiresPromotion));
  }

  @Override
  public void promote(String deploymentId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("DeploymentID", deploymentId);
    body.put("All", true);
    HttpResponse<String> r = send(request("/v1/deployment/promote/" + deploymentId)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
    check("promoting deployment " + deploymentId, r);
  }

  @Override
  public void fail(String deploymentId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("DeploymentID", deploymentId);
    HttpResponse<String> r = send(request("/v1/deployment/fail/" + deploymentId)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
    check("failing deployment " + deploymentId, r);
  }

  private HttpRequest.Builder request(String path) {
    List<String> params = new ArrayList<>();
    namespace.ifPresent(ns -> params.add("namespace=" + ConsulTrafficControl.encode(ns)));
    region.ifPresent(rg -> params.add("region=" + ConsulTrafficControl.encode(rg)));
    String query = params.isEmpty() ? "" : "?" + String.join("&", params);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path + query))
        .timeout(Duration.ofSeconds(15)).header("Accept", "application/json");
    token.ifPresent(t -> b.header("X-Nomad-Token", t.reveal()));
    return b;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new NomadException(describe() + " did not answer " + request.method() + " " + request.uri().getPath()
          + " (" + e.getClass().getSimpleName() + "): check NOMAD_ADDR and that Nomad runs", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NomadException("interrupted while calling " + describe(), e);
    }
  }

  private void check(String what, HttpResponse<String> r) {
    if (r.statusCode() / 100 == 2) {
      return;
    }
    String body = r.body() == null ? "" : r.body().strip();
    String hint = r.statusCode() == 403 ? ": NOMAD_TOKEN lacks the permission (submit-job on the job's namespace)" : "";
    throw new NomadException(what + " failed: " + describe() + " answered " + r.statusCode()
        + (body.isEmpty() ? "" : " (" + (body.length() > 300 ? body.substring(0, 300) + "..." : body) + ")") + hint);
  }

  private static Optional<String> nonBlank(String v) {
    return Optional.ofNullable(v).map(String::strip).filter(s -> !s.isEmpty());
  }
}
