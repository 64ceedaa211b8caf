package org.filewcount.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValuesTest {

  @Test
  void hostPortParsesIpv4NamesAndBracketedIpv6() {
    assertThat(HostPort.parse("127.0.0.1:8081")).isEqualTo(new HostPort("127.0.0.1", 8081));
    assertThat(HostPort.parse("app.internal:80")).isEqualTo(new HostPort("app.internal", 80));
    HostPort v6 = HostPort.parse("[::1]:9464");
    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6).hasToString("[::1]:9464");
  }

  @Test
  void hostPortErrorsSayWhatWasExpected() {
    assertThatThrownBy(() -> HostPort.parse("10.0.0.5:")).hasMessageContaining("expected host:port");
    assertThatThrownBy(() -> HostPort.parse("::1:80")).hasMessageContaining("brackets");
    assertThatThrownBy(() -> HostPort.parse("h:70000")).hasMessageContaining("outside 0-65535");
    assertThatThrownBy(() -> HostPort.parse("h:http")).hasMessageContaining("not a number");
  }

  @Test
  void appUrlIsCheckedOnceWithOneMessageForEverythingTheProxyCannotServe() {
    assertThat(AgentConfig.parseAppUrl("http://127.0.0.1:8080")).isEqualTo(URI.create("http://127.0.0.1:8080"));
    assertThat(AgentConfig.parseAppUrl("http://app/")).isEqualTo(URI.create("http://app/"));
    for (String bad : new String[] {"https://app", "http://app/prefix", "http://app?q=1", "app:80", "http://a b"}) {
      assertThatThrownBy(() -> AgentConfig.parseAppUrl(bad)).as(bad).isInstanceOf(ConfigException.class)
          .hasMessage("--app-url '" + bad + "' must be a plain http://host[:port] URL without a path or query"
              + " (filewcount serves plain HTTP; requests keep their own path), for example http://127.0.0.1:80");
    }
    // Tests and embedders building the config from a URI meet the same check.
    assertThatThrownBy(() -> AgentConfig.builder().appUrl(URI.create("http://app/prefix")).build())
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--app-url 'http://app/prefix' must be");
  }

  @Test
  void durationsReadTheHashicorpNotation() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThatThrownBy(() -> Durations.parse("10")).hasMessageContaining("use a number with a unit");
    assertThatThrownBy(() -> Durations.parse("10sx")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Durations.parse("x10s")).hasMessageContaining("not a duration");
  }

  @Test
  void secretNeverPrints() {
    Secret s = Secret.of(" s3cr3t-token \n");
    assertThat(s.reveal()).isEqualTo("s3cr3t-token");
    assertThat(s.toString()).doesNotContain("s3cr3t");
    assertThat(String.valueOf(Map.of("token", s))).doesNotContain("s3cr3t");
  }

  @Test
  void consulAddressFollowsTheConsulCli() {
    assertThat(ConsulSettings.fromEnvironment(Map.of(), null).address())
        .isEqualTo(URI.create("http://127.0.0.1:8500"));
    assertThat(ConsulSettings.fromEnvironment(Map.of("CONSUL_HTTP_ADDR", "10.1.2.3:8500"), null).address())
        .isEqualTo(URI.create("http://10.1.2.3:8500"));
    assertThat(ConsulSettings.fromEnvironment(
        Map.of("CONSUL_HTTP_ADDR", "consul:8501", "CONSUL_HTTP_SSL", "true"), null).address())
        .isEqualTo(URI.create("https://consul:8501"));
    assertThat(ConsulSettings.fromEnvironment(Map.of("CONSUL_HTTP_ADDR", "x:1"), "http://flag:8500").address())
        .isEqualTo(URI.create("http://flag:8500"));
    assertThatThrownBy(() -> ConsulSettings.fromEnvironment(Map.of(), "ftp://x:1"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http or https");
  }

  @Test
  void tokenFileWinsOverTokenVariableAndErrorsNeverShowContent(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "from-file\n");
    Map<String, String> env = Map.of("CONSUL_HTTP_TOKEN", "from-env", "CONSUL_HTTP_TOKEN_FILE", file.toString());
    assertThat(ConsulSettings.fromEnvironment(env, null).token().orElseThrow().reveal()).isEqualTo("from-file");
    assertThat(ConsulSettings.fromEnvironment(Map.of("CONSUL_HTTP_TOKEN", "from-env"), null).token().orElseThrow()
        .reveal()).isEqualTo("from-env");
    assertThat(ConsulSettings.fromEnvironment(env, null).toString()).doesNotContain("from-file", "from-env");

    Path empty = dir.resolve("empty");
    Files.writeString(empty, " \n");
    assertThatThrownBy(() -> ConsulSettings.fromEnvironment(Map.of("CONSUL_HTTP_TOKEN_FILE", empty.toString()), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is empty");
    assertThatThrownBy(() -> ConsulSettings.fromEnvironment(
        Map.of("CONSUL_HTTP_TOKEN_FILE", dir.resolve("missing").toString()), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
  }
}
