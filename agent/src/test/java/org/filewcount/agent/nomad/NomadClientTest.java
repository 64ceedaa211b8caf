package org.filewcount.agent.nomad;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.util.Map;
import org.filewcount.agent.rollout.NomadDeployments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Nomad's deployment API as its HTTP API docs describe it. */
class NomadClientTest {

  @RegisterExtension
  static WireMockExtension nomad = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private NomadClient client(Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(Map.of("NOMAD_ADDR", nomad.baseUrl(), "NOMAD_TOKEN", "n-tok"));
    env.putAll(extra);
    return NomadClient.fromEnvironment(env);
  }

  @Test
  void readsTheLatestDeploymentWithNamespaceAndTokenHeader() {
    nomad.stubFor(get(urlPathEqualTo("/v1/job/filewcount/deployment")).withQueryParam("namespace", equalTo("apps"))
        .withHeader("X-Nomad-Token", equalTo("n-tok")).willReturn(okJson("""
            {"ID":"85ee4a9a-339f-a921-a9ef-0550d20b2c61","JobID":"filewcount","JobVersion":7,"Status":"running",
             "StatusDescription":"Deployment is running but requires manual promotion",
             "TaskGroups":{"app":{"Promoted":false,"DesiredCanaries":1,"DesiredTotal":3}}}""")));

    NomadDeployments.Deployment d = client(Map.of("NOMAD_NAMESPACE", "apps")).latest("filewcount").orElseThrow();

    assertThat(d.id()).isEqualTo("85ee4a9a-339f-a921-a9ef-0550d20b2c61");
    assertThat(d.jobVersion()).isEqualTo(7);
    assertThat(d.status()).isEqualTo("running");
    assertThat(d.requiresPromotion()).isTrue();
  }

  @Test
  void aJobWithoutDeploymentIsEmptyAndAnUnknownJobIsAUsageError() {
    nomad.stubFor(get(urlPathEqualTo("/v1/job/filewcount/deployment")).willReturn(okJson("null")));
    nomad.stubFor(get(urlPathEqualTo("/v1/job/nosuch/deployment")).willReturn(aResponse().withStatus(404)
        .withBody("job not found")));

    assertThat(client(Map.of()).latest("filewcount")).isEmpty();
    assertThatThrownBy(() -> client(Map.of()).latest("nosuch")).isInstanceOf(NomadSettingsException.class)
        .hasMessageContaining("no job 'nosuch'");
  }

  @Test
  void promoteAndFailPostTheDocumentedBodies() {
    nomad.stubFor(post(urlPathEqualTo("/v1/deployment/promote/d-1")).willReturn(okJson("{\"EvalID\":\"e\",\"Index\":20}")));
    nomad.stubFor(post(urlPathEqualTo("/v1/deployment/fail/d-1")).willReturn(okJson("{\"EvalID\":\"e\",\"Index\":21}")));

    client(Map.of()).promote("d-1");
    client(Map.of()).fail("d-1");

    nomad.verify(postRequestedFor(urlPathEqualTo("/v1/deployment/promote/d-1"))
        .withHeader("X-Nomad-Token", equalTo("n-tok"))
        .withRequestBody(equalToJson("{\"DeploymentID\":\"d-1\",\"All\":true}")));
    nomad.verify(postRequestedFor(urlPathEqualTo("/v1/deployment/fail/d-1"))
        .withRequestBody(equalToJson("{\"DeploymentID\":\"d-1\"}")));
  }

  @Test
  void refusalsAreRuntimeErrorsWithoutTheToken() {
    nomad.stubFor(post(urlPathEqualTo("/v1/deployment/promote/d-2")).willReturn(aResponse().withStatus(403)
        .withBody("Permission denied")));

    assertThatThrownBy(() -> client(Map.of()).promote("d-2"))
        .isInstanceOf(NomadException.class)
        .hasMessageContaining("403").hasMessageContaining("NOMAD_TOKEN lacks the permission")
        .hasMessageNotContaining("n-tok");
  }
}
