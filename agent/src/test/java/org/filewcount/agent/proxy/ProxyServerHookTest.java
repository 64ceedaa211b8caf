package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.HostPort;
import org.junit.jupiter.api.Test;

class ProxyServerHookTest {

  @Test
  void stopLetsAnInFlightRequestFinishAndReportsNothingLeft() throws Exception {
    try (RecordingUpstream app = new RecordingUpstream()) {
      ProxyServerHook hook = new ProxyServerHook(
          ProxySettings.builder(new HostPort("127.0.0.1", 0), app.url()).build(), ExchangeObserver.NOOP);
      hook.start();
      ProxyServer server = hook.server().orElseThrow();
      try (RawClient c = new RawClient(server.localAddress())) {
        c.send("GET /slow?ms=500 HTTP/1.1\r\nHost: a\r\n\r\n");
        await().until(() -> server.inFlight() == 1);
        assertThat(hook.stop(Duration.ofSeconds(5))).isZero();
        assertThat(c.read().status()).isEqualTo(200);
      }
    }
  }

  @Test
  void stopCutsWhatOutlivesTheGracePeriodAndCountsIt() throws Exception {
    try (RecordingUpstream app = new RecordingUpstream()) {
      ProxyServerHook hook = new ProxyServerHook(
          ProxySettings.builder(new HostPort("127.0.0.1", 0), app.url()).build(), ExchangeObserver.NOOP);
      hook.start();
      ProxyServer server = hook.server().orElseThrow();
      try (RawClient c = new RawClient(server.localAddress())) {
        c.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: a\r\n\r\n");
        await().until(() -> server.inFlight() == 1);
        assertThat(hook.stop(Duration.ofMillis(200))).isEqualTo(1);
        assertThat(c.closedByPeer()).isTrue();
      }
    }
  }

  @Test
  void aTakenPortIsAClearStartError() throws Exception {
    try (RecordingUpstream app = new RecordingUpstream()) {
      ProxyServer first = ProxyServer.start(
          ProxySettings.builder(new HostPort("127.0.0.1", 0), app.url()).build(), ExchangeObserver.NOOP);
      try {
        HostPort taken = new HostPort("127.0.0.1", first.localAddress().getPort());
        assertThatThrownBy(() -> ProxyServer.start(ProxySettings.builder(taken, app.url()).build(),
            ExchangeObserver.NOOP))
            .isInstanceOf(ProxyStartException.class)
            .hasMessageContaining("cannot listen on " + taken)
            .hasMessageContaining("--listen");
      } finally {
        first.close();
      }
    }
  }

  @Test
  void settingsComeFromTheAgentConfigAndRefuseLimitsThatCannotWork() {
    AgentConfig config = AgentConfig.builder().listen(new HostPort("127.0.0.1", 8081))
        .appUrl(URI.create("http://127.0.0.1:8080")).build();
    ProxySettings s = ProxySettings.forAgent(config);
    assertThat(s.listen()).isEqualTo(new HostPort("127.0.0.1", 8081));
    assertThat(s.upstreamPort()).isEqualTo(8080);
    assertThat(s.maxRequestBodyBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(ProxySettings.builder(s.listen(), URI.create("http://app")).build().upstreamPort()).isEqualTo(80);
    assertThatThrownBy(() -> ProxySettings.builder(s.listen(), URI.create("http://app"))
        .headerReadTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headerReadTimeout");
  }
}
