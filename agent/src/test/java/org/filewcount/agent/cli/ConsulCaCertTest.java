package org.filewcount.agent.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.rollout.ConsulFixtures;
import org.filewcount.agent.testing.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consul over HTTPS with a private CA: trusted through CONSUL_CACERT, refused without it. */
class ConsulCaCertTest {

  @TempDir
  static Path dir;

  private static WireMockServer consul;
  private static Path caPem;

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @BeforeAll
  static void start() throws Exception {
    Path keystore = dir.resolve("consul.p12");
    keytool("-genkeypair", "-alias", "consul", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    caPem = dir.resolve("ca.pem");
    keytool("-exportcert", "-rfc", "-alias", "consul", "-keystore", keystore.toString(), "-storetype", "PKCS12",
        "-storepass", "changeit", "-file", caPem.toString());
    consul = new WireMockServer(WireMockConfiguration.wireMockConfig().httpDisabled(true).dynamicHttpsPort()
        .keystorePath(keystore.toString()).keystoreType("PKCS12").keystorePassword("changeit").keyManagerPassword("changeit"));
    consul.start();
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(okJson(ConsulFixtures.healthOf("1.0:1:1"))));
    for (String kind : new String[] {"service-resolver", "service-splitter", "service-defaults"}) {
      consul.stubFor(get(urlEqualTo("/v1/config/" + kind + "/filewcount")).willReturn(aResponse().withStatus(404)));
    }
  }

  @AfterAll
  static void stop() {
    consul.stop();
  }

  @Test
  void trustsTheCaNamedByConsulCacert() {
    String addr = "https://127.0.0.1:" + consul.httpsPort();
    assertThat(Files.exists(caPem)).isTrue();

    CliRun trusted = CliRun.run(Map.of("CONSUL_HTTP_ADDR", addr, "CONSUL_CACERT", caPem.toString()),
        "shift", "--weight", "1.0=100", "--dry-run");
    CliRun untrusted = CliRun.run(Map.of("CONSUL_HTTP_ADDR", addr), "shift", "--weight", "1.0=100", "--dry-run");

    assertThat(trusted.exitCode()).as(trusted.err()).isZero();
    assertThat(trusted.out()).contains("\"Kind\" : \"service-splitter\"");
    assertThat(untrusted.exitCode()).isEqualTo(1);
    assertThat(untrusted.err()).contains("did not answer").contains("set CONSUL_CACERT");
  }
}
