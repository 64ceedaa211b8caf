package org.filewcount.agent.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.PemTrust;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.registry.RegistrationPayload;
import org.filewcount.agent.registry.StubConsul;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONSUL_CACERT: a Consul HTTPS listener with a certificate from our own CA (made with the JDK's
 * keytool) is trusted through the PEM, and not without it.
 */
class ConsulTlsTest {

  private static final String PASSWORD = "changeit";
  private static final String TOKEN = "c0ffee00-tls0-4000-8000-000000000007";

  @TempDir
  static Path dir;

  private static StubConsul consul;
  private static Path caPem;

  @BeforeAll
  static void start() throws Exception {
    Path keystore = dir.resolve("consul.p12");
    caPem = dir.resolve("consul-ca.pem");
    keytool("-genkeypair", "-alias", "consul", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=server.dc1.consul", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "consul", "-keystore", keystore.toString(), "-storepass", PASSWORD,
        "-file", caPem.toString());
    consul = StubConsul.https(keystore, PASSWORD);
  }

  @AfterAll
  static void stop() {
    consul.close();
  }

  private static void keytool(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static RegistrationPayload payload() {
    HostPort adv = new HostPort("127.0.0.1", 8081);
    return RegistrationPayload.of(AgentConfig.builder().advertised(adv)
        .identity(InstanceIdentity.derive("filewcount", "1.0", adv, Map.of("NODE_NAME", "n"), "t")).build());
  }

  @Test
  void theCaFromConsulCacertIsTrustedByBothClients() {
    ConsulSettings settings = ConsulSettings.fromEnvironment(
        Map.of("CONSUL_CACERT", caPem.toString(), "CONSUL_HTTP_TOKEN", TOKEN), consul.address().toString());
    try (KiwiConsulAgent agent = KiwiConsulAgent.connect(settings)) {
      agent.register(payload().service()); // OkHttp path
      assertThat(agent.registeredServiceIds()).contains("filewcount-127.0.0.1-8081"); // consul-client path
      assertThat(agent.passTtl(payload().ttlCheckId(), "agent alive")).isTrue();
    }
    assertThat(consul.requests()).allSatisfy(r -> assertThat(r.getHeader("X-Consul-Token")).isEqualTo(TOKEN));
  }

  @Test
  void withoutTheCaTheConnectionIsRefusedAsUntrusted() {
    try (KiwiConsulAgent agent = KiwiConsulAgent.connect(
        new ConsulSettings(consul.address(), Optional.of(Secret.of(TOKEN)), Optional.empty()))) {
      assertThatThrownBy(() -> agent.register(payload().service()))
          .isInstanceOf(ConsulException.class).hasMessageNotContaining(TOKEN);
      assertThatThrownBy(agent::registeredServiceIds).isInstanceOf(ConsulException.class);
    }
  }

  @Test
  void aFileWithoutACertificateIsAConfigurationError() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
    assertThatThrownBy(() -> PemTrust.fromPem(notPem, "CONSUL_CACERT"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CONSUL_CACERT");
  }
}
