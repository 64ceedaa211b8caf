package org.filewcount.agent.rollout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.util.ArrayList;
import java.util.List;
import org.filewcount.agent.registry.StubConsul;

/** Consul HTTP API bodies in the shapes the Consul docs give, for WireMock stubs. */
public final class ConsulFixtures {

  private ConsulFixtures() {}

  /** One element of GET /v1/health/service/:service: node, service (with Meta.version) and its checks. */
  public static String instance(String id, String version, String serviceCheckStatus) {
    return """
        {"Node":{"ID":"n-%1$s","Node":"node-1","Address":"10.0.0.1","Datacenter":"dc1"},
         "Service":{"ID":"%1$s","Service":"filewcount","Tags":["v%2$s"],"Address":"10.0.0.1",
                    "Meta":{"version":"%2$s","agent_version":"dev"},"Port":8081},
         "Checks":[{"Node":"node-1","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing"},
                   {"Node":"node-1","CheckID":"service:%1$s:ready","Name":"ready","Status":"%3$s",
                    "ServiceID":"%1$s","ServiceName":"filewcount"}]}
        """.formatted(id, version, serviceCheckStatus);
  }

  public static String health(String... instances) {
    return "[" + String.join(",", instances) + "]";
  }

  /** n passing instances of each version given as "version:passing:total". */
  public static String healthOf(String... specs) {
    List<String> out = new ArrayList<>();
    for (String spec : specs) {
      String[] p = spec.split(":");
      int passing = Integer.parseInt(p[1]);
      int total = Integer.parseInt(p[2]);
      for (int i = 0; i < total; i++) {
        out.add(instance("filewcount-" + p[0] + "-" + i, p[0], i < passing ? "passing" : "critical"));
      }
    }
    return "[" + String.join(",", out) + "]";
  }

  /**
   * The rollout keeps its lock and state in Consul KV and sessions: a WireMock Consul hands those calls to
   * {@code stub}, which implements them as Consul does (blocking queries included).
   */
  public static void kvAndSessionsFrom(WireMockExtension consul, StubConsul stub) {
    consul.stubFor(any(urlPathMatching("/v1/(kv|session)/.*"))
        .willReturn(aResponse().proxiedFrom(stub.address().toString())));
  }

  /**
   * A Consul where filewcount has no config entries yet (each read 404), every entry write succeeds, and
   * KV and sessions go to {@code stub}: the starting point of a rollout test.
   */
  public static void noEntriesYet(WireMockExtension consul, StubConsul stub) {
    for (String kind : new String[] {"service-defaults", "service-resolver", "service-router", "service-splitter"}) {
      consul.stubFor(get(urlEqualTo("/v1/config/" + kind + "/filewcount")).willReturn(aResponse().withStatus(404)));
    }
    consul.stubFor(put(urlPathEqualTo("/v1/config")).willReturn(okJson("true")));
    kvAndSessionsFrom(consul, stub);
  }
}
