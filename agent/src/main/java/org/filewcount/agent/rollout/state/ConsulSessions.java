package org.filewcount.agent.rollout.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.split.Json;

/**
 * Consul's session endpoint ({@code /v1/session/...}) as hashicorp/consul
 * website/content/api-docs/session.mdx and agent/session_endpoint.go describe it: create answers
 * {@code {"ID": ...}}; renew answers 404 once the session is gone; destroy is idempotent; info answers
 * {@code []} for a session that no longer exists.
 */
final class ConsulSessions {

  private final ConsulHttp http;

  ConsulSessions(ConsulHttp http) {
    this.http = http;
  }

  /**
   * A TTL session with the agent's node and its default serfHealth check. {@code release}: when it ends,
   * its locks are released and the keys kept (ADR 0022 says why not {@code delete}).
   */
  String create(String name, Duration ttl, Duration lockDelay) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("Name", name);
    body.put("TTL", ttl.toSeconds() + "s");
    body.put("LockDelay", lockDelay.toSeconds() + "s");
    body.put("Behavior", "release");
    ConsulHttp.Response r = http.put("/v1/session/create", Json.write(body));
    if (!r.ok()) {
      throw ConsulHttp.failure("creating a Consul session (the rollout lock needs session:write on the node)", r);
    }
    return Json.parse(r.body()).path("ID").asText();
  }

  /** @return false when the session no longer exists (it expired or was destroyed) */
  boolean renew(String id) {
    ConsulHttp.Response r = http.put("/v1/session/renew/" + id, "");
    if (r.status() == 404) {
      return false;
    }
    if (!r.ok()) {
      throw ConsulHttp.failure("renewing Consul session " + id, r);
    }
    return true;
  }

  boolean exists(String id) {
    ConsulHttp.Response r = http.get("/v1/session/info/" + id);
    if (!r.ok()) {
      throw ConsulHttp.failure("reading Consul session " + id, r);
    }
    return Json.parse(r.body()).size() > 0;
  }

  void destroy(String id) {
    ConsulHttp.Response r = http.put("/v1/session/destroy/" + id, "");
    if (!r.ok()) {
      throw ConsulHttp.failure("destroying Consul session " + id, r);
    }
  }
}
