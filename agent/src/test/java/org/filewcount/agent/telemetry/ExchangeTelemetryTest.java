package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.telemetry.Exchanges.chunks;
import static org.filewcount.agent.telemetry.Exchanges.response;
import static org.filewcount.agent.telemetry.Exchanges.resultPage;
import static org.filewcount.agent.telemetry.Exchanges.run;
import static org.filewcount.agent.telemetry.Exchanges.upload;
import static org.filewcount.agent.telemetry.Exchanges.utf8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Collection;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.proxy.ExchangeObserver;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Each outcome of the filewcount contract, driven through the observer the proxy calls. */
class ExchangeTelemetryTest {

  private static final String HTML = "text/html; charset=utf-8";

  private final InMemoryTelemetry t = new InMemoryTelemetry();
  private final ExchangeObserver observer = t.telemetry.exchangeObserver();

  @AfterEach
  void close() {
    t.close();
  }

  @Test
  void countedUploadIsASuccessWithTheCountsAndTheCallersTrace() {
    byte[] page = utf8(resultPage("File Received. Thanks! Word Count:12, Uniq-Word Count:7", 40));
    int bannerAt = new String(page, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("Word Count:12");
    // Cut the page in the middle of the banner and in the middle of a multi-byte character.
    ExchangeObserver.Exchange e = observer.start(upload(), "10.0.0.7");
    HttpHeaders upstream = new DefaultHttpHeaders();
    e.injectUpstream(upstream);
    e.requestBody(1000);
    e.requestBody(234);
    e.responseHead(response(200, HTML));
    int[] cuts = {0, 5, bannerAt + 4, page.length};
    for (int i = 0; i + 1 < cuts.length; i++) {
      ByteBuf chunk = Unpooled.wrappedBuffer(page, cuts[i], cuts[i + 1] - cuts[i]);
      e.responseBody(chunk);
      assertThat(chunk.readerIndex()).as("the observer must not consume the buffer").isZero();
      assertThat(chunk.refCnt()).as("nor retain or release it").isEqualTo(1);
      chunk.release();
    }
    e.complete();

    SpanData span = t.onlySpan();
    assertThat(span.getName()).isEqualTo("POST /file_upload");
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getTraceId()).isEqualTo(Exchanges.TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(Exchanges.PARENT_SPAN_ID);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(span.getAttributes().asMap()).containsAllEntriesOf(Attributes.builder()
        .put(HttpAttributes.HTTP_REQUEST_METHOD, "POST")
        .put(HttpAttributes.HTTP_ROUTE, "/file_upload")
        .put(UrlAttributes.URL_PATH, "/file_upload")
        .put(UrlAttributes.URL_SCHEME, "http")
        .put(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 200L)
        .put(ServerAttributes.SERVER_ADDRESS, "filewcount.example")
        .put(ServerAttributes.SERVER_PORT, 8081L)
        .put(ClientAttributes.CLIENT_ADDRESS, "10.0.0.7")
        .put(UserAgentAttributes.USER_AGENT_ORIGINAL, "curl/7.88.1")
        .put(TelemetryAttributes.OUTCOME, "success")
        .put(TelemetryAttributes.BANNER, "found")
        .put(TelemetryAttributes.WORD_COUNT, 12L)
        .put(TelemetryAttributes.UNIQUE_WORD_COUNT, 7L)
        .put(TracingExchangeObserver.REQUEST_BODY_SIZE, 1234L)
        .put(TracingExchangeObserver.RESPONSE_BODY_SIZE, (long) page.length)
        .build().asMap());
    assertThat(span.getAttributes().get(ErrorAttributes.ERROR_TYPE)).isNull();

    // Upstream gets our span as parent, in the caller's trace, with the caller's baggage.
    assertThat(upstream.get("traceparent")).isEqualTo("00-" + Exchanges.TRACE_ID + "-" + span.getSpanId() + "-01");
    assertThat(upstream.get("baggage")).isEqualTo("tenant=acme");

    Collection<MetricData> metrics = t.collect();
    Attributes expected = Attributes.builder()
        .put(HttpAttributes.HTTP_REQUEST_METHOD, "POST")
        .put(UrlAttributes.URL_SCHEME, "http")
        .put(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 200L)
        .put(HttpAttributes.HTTP_ROUTE, "/file_upload")
        .put(TelemetryAttributes.OUTCOME, "success")
        .build();
    HistogramPointData duration = onlyHistogramPoint(metrics, MetricDefinition.HTTP_SERVER_REQUEST_DURATION);
    assertThat(duration.getAttributes()).isEqualTo(expected);
    assertThat(duration.getCount()).isEqualTo(1);
    assertThat(duration.getSum()).isPositive().isLessThan(span.getEndEpochNanos() / 1e9);
    assertThat(duration.getExemplars()).singleElement().satisfies(x -> {
      assertThat(x.getSpanContext().getTraceId()).isEqualTo(Exchanges.TRACE_ID);
      assertThat(x.getSpanContext().getSpanId()).isEqualTo(span.getSpanId());
    });
    HistogramPointData requestSize = onlyHistogramPoint(metrics, MetricDefinition.HTTP_SERVER_REQUEST_BODY_SIZE);
    assertThat(requestSize.getAttributes()).isEqualTo(expected);
    assertThat(requestSize.getSum()).isEqualTo(1234.0);
    assertThat(onlyHistogramPoint(metrics, MetricDefinition.HTTP_SERVER_RESPONSE_BODY_SIZE).getSum())
        .isEqualTo(page.length);
    HistogramPointData words = onlyHistogramPoint(metrics, MetricDefinition.UPLOAD_WORD_COUNT);
    assertThat(words.getAttributes()).isEqualTo(Attributes.of(TelemetryAttributes.OUTCOME, "success"));
    assertThat(words.getSum()).isEqualTo(12.0);
    assertThat(onlyLongPoint(metrics, MetricDefinition.HTTP_SERVER_ACTIVE_REQUESTS).getValue()).isZero();
    assertThat(InMemoryTelemetry.metric(metrics, MetricDefinition.UPSTREAM_CONNECTION_ERRORS)).isEmpty();
  }

  @Test
  void emptyUploadIsEmptyNotAnError() {
    byte[] page = utf8(resultPage("File Received... But it was empty. Word Count:0, Uniq-Word Count:0", 3));
    run(observer, upload(), 180, response(200, HTML), page, 7);

    SpanData span = t.onlySpan();
    assertThat(span.getAttributes().get(TelemetryAttributes.OUTCOME)).isEqualTo("empty");
    assertThat(span.getAttributes().get(TelemetryAttributes.WORD_COUNT)).isZero();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    Collection<MetricData> metrics = t.collect();
    assertThat(onlyHistogramPoint(metrics, MetricDefinition.HTTP_SERVER_REQUEST_DURATION).getAttributes()
        .get(TelemetryAttributes.OUTCOME)).isEqualTo("empty");
    HistogramPointData words = onlyHistogramPoint(metrics, MetricDefinition.UPLOAD_WORD_COUNT);
    assertThat(words.getAttributes()).isEqualTo(Attributes.of(TelemetryAttributes.OUTCOME, "empty"));
    assertThat(words.getCount()).isEqualTo(1);
    assertThat(words.getSum()).isZero();
  }

  @Test
  void notTextIsAnAppErrorDespiteTheOkStatus() {
    assertAppError(ResultPage.NOT_TEXT);
  }

  @Test
  void missingFileIsAnAppErrorDespiteTheOkStatus() {
    assertAppError(ResultPage.MISSING_FILE);
  }

  private void assertAppError(String message) {
    byte[] page = utf8(resultPage("<div class=\"error\">" + message + "</div>", 2));
    run(observer, upload(), 300, response(200, HTML), page, 64);

    SpanData span = t.onlySpan();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).isEqualTo(message);
    assertThat(span.getAttributes().get(TelemetryAttributes.OUTCOME)).isEqualTo("app_error");
    assertThat(span.getAttributes().get(TelemetryAttributes.APP_ERROR)).isEqualTo(message);
    assertThat(span.getAttributes().get(ErrorAttributes.ERROR_TYPE)).isEqualTo("app_error");
    assertThat(span.getAttributes().get(TelemetryAttributes.WORD_COUNT)).isNull();
    Collection<MetricData> metrics = t.collect();
    assertThat(onlyHistogramPoint(metrics, MetricDefinition.HTTP_SERVER_REQUEST_DURATION).getAttributes())
        .isEqualTo(Attributes.builder()
            .put(HttpAttributes.HTTP_REQUEST_METHOD, "POST")
            .put(UrlAttributes.URL_SCHEME, "http")
            .put(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 200L)
            .put(HttpAttributes.HTTP_ROUTE, "/file_upload")
            .put(TelemetryAttributes.OUTCOME, "app_error")
            .put(ErrorAttributes.ERROR_TYPE, "app_error")
            .build());
    assertThat(InMemoryTelemetry.metric(metrics, MetricDefinition.UPLOAD_WORD_COUNT)).isEmpty();
  }

  @Test
  void missingFilePartAndOversizedBodyAreRejected() {
    run(observer, upload(), 50, response(400, HTML), utf8("<h1>Bad Request</h1>"), 100);
    run(observer, upload(), 10 * 1024 * 1024 + 1, response(413, "text/html"), utf8("<h1>413</h1>"), 100);

    assertThat(t.finishedSpans()).extracting(s -> s.getAttributes().get(TelemetryAttributes.OUTCOME))
        .containsExactly("rejected", "rejected");
    assertThat(t.finishedSpans()).allSatisfy(s -> {
      assertThat(s.getStatus().getStatusCode()).as("4xx is the client's doing: span status stays unset")
          .isEqualTo(StatusCode.UNSET);
      assertThat(s.getAttributes().get(TelemetryAttributes.BANNER)).as("4xx pages are not read").isNull();
    });
    assertThat(histogramPoints(t.collect(), MetricDefinition.HTTP_SERVER_REQUEST_DURATION))
        .extracting(p -> p.getAttributes().get(HttpAttributes.HTTP_RESPONSE_STATUS_CODE))
        .containsExactlyInAnyOrder(400L, 413L);
  }

  @Test
  void serverErrorsRefusedConnectionsAndTimeoutsAreUpstreamErrors() {
    run(observer, Exchanges.request(HttpMethod.GET, "/"), 0, response(502, "text/html"), utf8("bad gateway"), 100);
    ExchangeObserver.Exchange refused = observer.start(upload(), "127.0.0.1");
    refused.fail(FailureKind.UPSTREAM_CONNECT, new ConnectException("Connection refused"));
    ExchangeObserver.Exchange slow = observer.start(upload(), "127.0.0.1");
    slow.responseHead(response(504, "text/plain"));
    slow.fail(FailureKind.UPSTREAM_TIMEOUT, null);
    slow.complete(); // a second end is ignored

    List<SpanData> spans = t.finishedSpans();
    assertThat(spans).hasSize(3).allSatisfy(s -> {
      assertThat(s.getAttributes().get(TelemetryAttributes.OUTCOME)).isEqualTo("upstream_error");
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    });
    assertThat(spans).extracting(s -> s.getAttributes().get(ErrorAttributes.ERROR_TYPE))
        .containsExactly("502", "upstream_connect", "upstream_timeout");
    assertThat(spans.get(1).getAttributes().get(HttpAttributes.HTTP_RESPONSE_STATUS_CODE))
        .as("no response was seen").isNull();
    assertThat(spans.get(1).getEvents()).extracting(ev -> ev.getName()).containsExactly("exception");
    assertThat(spans.get(2).getAttributes().get(HttpAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(504L);

    Collection<MetricData> metrics = t.collect();
    assertThat(histogramPoints(metrics, MetricDefinition.HTTP_SERVER_REQUEST_DURATION))
        .hasSize(3)
        .allSatisfy(p -> assertThat(p.getCount()).isEqualTo(1));
    assertThat(InMemoryTelemetry.metric(metrics, MetricDefinition.UPSTREAM_CONNECTION_ERRORS).orElseThrow()
        .getLongSumData().getPoints())
        .extracting(p -> p.getAttributes().get(ErrorAttributes.ERROR_TYPE) + "=" + p.getValue())
        .containsExactlyInAnyOrder("upstream_connect=1", "upstream_timeout=1");
    assertThat(longPoints(metrics, MetricDefinition.HTTP_SERVER_ACTIVE_REQUESTS))
        .extracting(LongPointData::getValue).containsOnly(0L);
  }

  @Test
  void clientSideFailuresAreRejectedAndNotUpstreamErrors() {
    ExchangeObserver.Exchange gone = observer.start(upload(), "127.0.0.1");
    gone.responseHead(response(200, HTML));
    gone.fail(FailureKind.CLIENT_CLOSED, null);

    SpanData span = t.onlySpan();
    assertThat(span.getAttributes().get(TelemetryAttributes.OUTCOME)).isEqualTo("rejected");
    assertThat(span.getAttributes().get(ErrorAttributes.ERROR_TYPE)).isEqualTo("client_closed");
    assertThat(InMemoryTelemetry.metric(t.collect(), MetricDefinition.UPSTREAM_CONNECTION_ERRORS)).isEmpty();
  }

  @Test
  void onlyTheBannerPrefixIsRead() {
    // A page whose banner sits beyond the prefix is not a result page the agent can vouch for.
    String filler = "<!-- " + "x".repeat(ResultPage.BANNER_PREFIX_BYTES) + " -->";
    byte[] page = utf8(filler + resultPage("File Received. Thanks! Word Count:3, Uniq-Word Count:3", 1));
    run(observer, upload(), 10, response(200, HTML), page, 4096);

    SpanData span = t.onlySpan();
    assertThat(span.getAttributes().get(TelemetryAttributes.OUTCOME)).isEqualTo("app_error");
    assertThat(span.getAttributes().get(TelemetryAttributes.BANNER)).isEqualTo("missing");
    assertThat(span.getAttributes().get(TracingExchangeObserver.RESPONSE_BODY_SIZE)).isEqualTo((long) page.length);
  }

  @Test
  void gzippedPagesAreReadToo() throws IOException {
    byte[] plain = utf8(resultPage("File Received. Thanks! Word Count:5, Uniq-Word Count:4", 500));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    HttpResponse head = response(200, HTML);
    head.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    run(observer, upload(), 10, head, gz.toByteArray(), 100);

    SpanData span = t.onlySpan();
    assertThat(span.getAttributes().get(TelemetryAttributes.OUTCOME)).isEqualTo("success");
    assertThat(span.getAttributes().get(TelemetryAttributes.WORD_COUNT)).isEqualTo(5L);
  }

  @Test
  void aPageInAnotherCharsetIsDecodedWithIt() {
    byte[] page = resultPage("File Received. Thanks! Word Count:9, Uniq-Word Count:8", 1)
        .replace("単語", "").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    run(observer, upload(), 10, response(200, "text/html; charset=ISO-8859-1"), page, 3);

    assertThat(t.onlySpan().getAttributes().get(TelemetryAttributes.WORD_COUNT)).isEqualTo(9L);
  }

  @Test
  void formsAndStaticFilesAreClassifiedByStatusWithLowCardinalityRoutes() {
    run(observer, Exchanges.request(HttpMethod.GET, "/"), 0, response(200, HTML), utf8("<form>"), 100);
    run(observer, Exchanges.request(HttpMethod.GET, "/file_upload?x=1"), 0, response(200, HTML), utf8("<form>"), 100);
    run(observer, Exchanges.request(HttpMethod.GET, "/static/style.css"), 0, response(200, "text/css"), utf8("a{}"), 100);
    run(observer, Exchanges.request(HttpMethod.GET, "/no/such/file-12345"), 0, response(404, HTML), utf8("nf"), 100);
    run(observer, Exchanges.request(HttpMethod.valueOf("PROPFIND"), "/"), 0, response(405, HTML), utf8("no"), 100);

    assertThat(t.finishedSpans()).extracting(SpanData::getName)
        .containsExactly("GET /", "GET /file_upload", "GET", "GET", "HTTP /");
    assertThat(t.finishedSpans()).extracting(s -> s.getAttributes().get(TelemetryAttributes.OUTCOME))
        .containsExactly("success", "success", "success", "rejected", "rejected");
    assertThat(t.finishedSpans().get(4).getAttributes().get(HttpAttributes.HTTP_REQUEST_METHOD_ORIGINAL))
        .isEqualTo("PROPFIND");
    assertThat(histogramPoints(t.collect(), MetricDefinition.HTTP_SERVER_REQUEST_DURATION))
        .extracting(p -> p.getAttributes().get(HttpAttributes.HTTP_REQUEST_METHOD) + " "
            + p.getAttributes().get(HttpAttributes.HTTP_ROUTE) + " "
            + p.getAttributes().get(HttpAttributes.HTTP_RESPONSE_STATUS_CODE))
        .containsExactlyInAnyOrder("GET / 200", "GET /file_upload 200", "GET other 200", "GET other 404",
            "_OTHER / 405");
  }

  @Test
  void logLinesInsideAnExchangeCarryItsTraceId() {
    ExchangeObserver.Exchange e = observer.start(upload(), "127.0.0.1");
    String[] seen = new String[2];
    e.runInContext(() -> {
      seen[0] = MDC.get("trace_id");
      seen[1] = MDC.get("span_id");
    });
    e.complete();

    assertThat(seen[0]).isEqualTo(Exchanges.TRACE_ID);
    assertThat(seen[1]).isEqualTo(t.onlySpan().getSpanId());
    assertThat(MDC.get("trace_id")).as("cleared after the action").isNull();
  }

  @Test
  void withoutIncomingContextEachRequestStartsItsOwnTrace() {
    run(observer, Exchanges.request(HttpMethod.GET, "/"), 0, response(200, HTML), utf8("<form>"), 100);
    SpanData span = t.onlySpan();
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getTraceId()).isNotEqualTo(Exchanges.TRACE_ID);
    assertThat(onlyHistogramPoint(t.collect(), MetricDefinition.HTTP_SERVER_REQUEST_DURATION).getExemplars())
        .extracting(x -> x.getSpanContext().getTraceId())
        .containsExactly(span.getTraceId());
  }

  @Test
  void activeRequestsCountsWhatIsInFlight() {
    ExchangeObserver.Exchange a = observer.start(upload(), "127.0.0.1");
    observer.start(Exchanges.request(HttpMethod.GET, "/"), "127.0.0.1");
    assertThat(onlyLongPoint(t.collect(), MetricDefinition.HTTP_SERVER_ACTIVE_REQUESTS)).isNull();
    assertThat(longPoints(t.collect(), MetricDefinition.HTTP_SERVER_ACTIVE_REQUESTS))
        .extracting(p -> p.getAttributes().get(HttpAttributes.HTTP_REQUEST_METHOD) + "=" + p.getValue())
        .containsExactlyInAnyOrder("POST=1", "GET=1");
    a.complete();
    assertThat(longPoints(t.collect(), MetricDefinition.HTTP_SERVER_ACTIVE_REQUESTS))
        .extracting(p -> p.getAttributes().get(HttpAttributes.HTTP_REQUEST_METHOD) + "=" + p.getValue())
        .containsExactlyInAnyOrder("POST=0", "GET=1");
  }

  static List<HistogramPointData> histogramPoints(Collection<MetricData> metrics, MetricDefinition d) {
    return List.copyOf(InMemoryTelemetry.metric(metrics, d)
        .orElseThrow(() -> new AssertionError(d.otelName() + " not recorded")).getHistogramData().getPoints());
  }

  static HistogramPointData onlyHistogramPoint(Collection<MetricData> metrics, MetricDefinition d) {
    List<HistogramPointData> points = histogramPoints(metrics, d);
    assertThat(points).as(d.otelName()).hasSize(1);
    return points.get(0);
  }

  static List<LongPointData> longPoints(Collection<MetricData> metrics, MetricDefinition d) {
    MetricData m = InMemoryTelemetry.metric(metrics, d).orElseThrow(() -> new AssertionError(d.otelName()));
    return List.copyOf(switch (m.getType()) {
      case LONG_SUM -> m.getLongSumData().getPoints();
      case LONG_GAUGE -> m.getLongGaugeData().getPoints();
      default -> throw new AssertionError(m.getType());
    });
  }

  /** The single point, or null when there are several. */
  static LongPointData onlyLongPoint(Collection<MetricData> metrics, MetricDefinition d) {
    List<LongPointData> points = longPoints(metrics, d);
    return points.size() == 1 ? points.get(0) : null;
  }
}
