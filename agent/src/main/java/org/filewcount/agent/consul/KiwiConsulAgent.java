package org.filewcount.agent.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.MalformedURLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.PemTrust;
import org.filewcount.agent.config.Secret;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.NotRegisteredException;
import org.kiwiproject.consul.model.State;
import org.kiwiproject.consul.model.health.HealthCheck;
import org.kiwiproject.consul.model.health.ServiceHealth;

/**
 * {@link ConsulAgent} on org.kiwiproject:consul-client (ADR 0001, ADR 0023). consul-client does reads, TTL
 * heartbeats, maintenance and deregistration; the register call goes through {@link ConsulHttp}, the
 * transport every other Consul call uses, because consul-client's {@code Registration} cannot express a
 * Connect sidecar. Both sides take address, token, CA and timeouts from the same {@link ConsulSettings}
 * and fail with the one {@link ConsulException}.
 *
 * <p>The ACL token goes only into the {@code X-Consul-Token} header: consul-client's
 * {@code withTokenAuth} sets that header, while its {@code withAclToken} would append
 * {@code ?token=} to every URL, where proxies and access logs record it.
 */
public final class KiwiConsulAgent implements ConsulAgent {

  /** The local agent is on this host: anything slower than this is an outage, not latency. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REGISTER_PERMISSIONS = "it needs service:write on the service and its sidecar";

  private final Consul consul;
  private final ConsulHttp http;

  private KiwiConsulAgent(Consul consul, ConsulHttp http) {
    this.consul = consul;
    this.http = http;
  }

  public static KiwiConsulAgent connect(ConsulSettings settings) {
    Optional<PemTrust> tls = settings.caCert().map(p -> PemTrust.fromPem(p, "CONSUL_CACERT"));

    Consul.Builder kiwi = Consul.builder()
        .withPing(false)
        .withConnectTimeoutMillis(CONNECT_TIMEOUT.toMillis())
        .withReadTimeoutMillis(READ_TIMEOUT.toMillis())
        .withWriteTimeoutMillis(READ_TIMEOUT.toMillis());
    try {
      kiwi.withUrl(settings.address().toURL());
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("Consul address " + settings.address() + " is not a URL", e);
    }
    settings.token().map(Secret::reveal).ifPresent(kiwi::withTokenAuth);
    tls.ifPresent(t -> kiwi.withSslContext(t.sslContext()).withTrustManager(t.trustManager()));
    return new KiwiConsulAgent(kiwi.build(), new ConsulHttp(settings, tls, CONNECT_TIMEOUT, READ_TIMEOUT));
  }

  @Override
  public void register(ObjectNode serviceDefinition) {
    String id = serviceDefinition.path("ID").asText();
    String body;
    try {
      body = JSON.writeValueAsString(serviceDefinition);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise the registration of " + id, e);
    }
    ConsulHttp.Response response;
    try {
      response = http.put("/v1/agent/service/register", body);
    } catch (ConsulException e) {
      throw new ConsulException("registering " + id + ": " + e.getMessage(), e);
    }
    if (!response.ok()) {
      throw ConsulHttp.failure("registering " + id, response, REGISTER_PERMISSIONS);
    }
  }

  @Override
  public void deregister(String serviceId) {
    try {
      consul.agentClient().deregister(serviceId);
    } catch (org.kiwiproject.consul.ConsulException e) {
      if (e.hasCode() && e.getCode() == 404) {
        return;
      }
      throw unavailable("deregistering " + serviceId, e);
    }
  }

  @Override
  public boolean passTtl(String checkId, String note) {
    try {
      consul.agentClient().check(checkId, State.PASS, note);
      return true;
    } catch (NotRegisteredException e) {
      // consul-client wraps every failure of a check update in NotRegisteredException; the cause tells.
      if (e.getCause() instanceof org.kiwiproject.consul.ConsulException ce && ce.hasCode() && isUnknownCheck(ce)) {
        return false;
      }
      throw unavailable("passing TTL check " + checkId, e.getCause() != null ? e.getCause() : e);
    } catch (org.kiwiproject.consul.ConsulException e) {
      throw unavailable("passing TTL check " + checkId, e);
    }
  }

  /** 404 on current Consul; older releases answered 500 "CheckID ... does not have associated TTL". */
  private static boolean isUnknownCheck(org.kiwiproject.consul.ConsulException e) {
    String message = String.valueOf(e.getMessage());
    return e.getCode() == 404 || (e.getCode() == 500
        && (message.contains("does not have associated TTL") || message.contains("Unknown check")));
  }

  @Override
  public void maintenance(String serviceId, boolean enable, String reason) {
    try {
      consul.agentClient().toggleMaintenanceMode(serviceId, enable, reason);
    } catch (org.kiwiproject.consul.ConsulException e) {
      throw unavailable((enable ? "enabling" : "disabling") + " maintenance for " + serviceId, e);
    }
  }

  @Override
  public Set<String> registeredServiceIds() {
    try {
      return Set.copyOf(consul.agentClient().getServices().keySet());
    } catch (org.kiwiproject.consul.ConsulException e) {
      throw unavailable("reading the agent's services", e);
    }
  }

  @Override
  public List<ServiceInstance> instances(String serviceName) {
    List<ServiceHealth> entries;
    try {
      entries = consul.healthClient().getAllServiceInstances(serviceName).getResponse();
    } catch (org.kiwiproject.consul.ConsulException e) {
      throw unavailable("reading the health of " + serviceName, e);
    }
    List<ServiceInstance> result = new ArrayList<>();
    for (ServiceHealth h : entries) {
      var s = h.getService();
      String address = s.getAddress() == null || s.getAddress().isBlank() ? h.getNode().getAddress() : s.getAddress();
      List<ServiceInstance.Check> checks = new ArrayList<>();
      for (HealthCheck c : h.getChecks()) {
        checks.add(new ServiceInstance.Check(c.getCheckId(), c.getName(), c.getStatus(), c.getOutput().orElse("")));
      }
      result.add(new ServiceInstance(s.getId(), h.getNode().getNode(), address, s.getPort(), s.getMeta(),
          s.getTags(), checks));
    }
    return result;
  }

  @Override
  public void close() {
    consul.destroy();
  }

  private static ConsulException unavailable(String what, Throwable e) {
    if (e instanceof org.kiwiproject.consul.ConsulException ce && ce.hasCode()) {
      return new ConsulException(what + ": Consul answered " + ce.getCode() + hint(ce.getCode()), e);
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new ConsulException(what + ": " + describe(root), e);
  }

  private static String hint(int code) {
    return code == 403 ? " (permission denied: the token in CONSUL_HTTP_TOKEN(_FILE) lacks the ACL rights; "
        + REGISTER_PERMISSIONS + ")" : "";
  }

  private static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() != null ? " " + e.getMessage() : "");
  }
}
