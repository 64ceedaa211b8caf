package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestInfoTest {

  @Test
  void queryAndAbsoluteFormDoNotChangeTheRoute() {
    assertThat(RequestInfo.of(Exchanges.request(HttpMethod.POST, "/file_upload?x=1#f")).isUpload()).isTrue();
    RequestInfo absolute = RequestInfo.of(Exchanges.request(HttpMethod.POST, "http://app:80/file_upload"));
    assertThat(absolute.path()).isEqualTo("/file_upload");
    assertThat(absolute.isUpload()).isTrue();
    assertThat(RequestInfo.of(Exchanges.request(HttpMethod.GET, "/file_upload")).isUpload())
        .as("the form, not an upload").isFalse();
  }

  @Test
  void anyOtherPathFoldsIntoOneRouteValue() {
    for (String path : new String[] {"/file_upload/", "/FILE_UPLOAD", "/static/a.css", "/%00", "/../etc/passwd"}) {
      RequestInfo info = RequestInfo.of(Exchanges.request(HttpMethod.GET, path));
      assertThat(info.route()).as(path).isEmpty();
      assertThat(info.metricRoute()).as(path).isEqualTo("other");
    }
  }

  @Test
  void hostHeaderGivesServerAddressAndPortIncludingIpv6() {
    HttpRequest r = Exchanges.request(HttpMethod.GET, "/");
    r.headers().set(HttpHeaderNames.HOST, "[::1]:8081");
    RequestInfo info = RequestInfo.of(r);
    assertThat(info.serverAddress()).contains("::1");
    assertThat(info.serverPort()).contains(8081L);

    r.headers().set(HttpHeaderNames.HOST, "filewcount");
    assertThat(RequestInfo.of(r).serverPort()).isEqualTo(Optional.empty());
    r.headers().set(HttpHeaderNames.HOST, "filewcount:99999");
    assertThat(RequestInfo.of(r).serverPort()).as("not a port").isEmpty();
  }
}
