package org.filewcount.agent.telemetry;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.filewcount.agent.app.Outcome;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.app.WordCounts;
import org.filewcount.agent.proxy.ExchangeObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One SERVER span and one set of HTTP metric points per proxied request, with the outcome read from
 * the page where the status code cannot tell.
 *
 * <p>Order of calls the proxy makes per exchange: {@code start}, then any of {@code injectUpstream},
 * {@code requestBody}, {@code responseHead}, {@code responseBody}, then exactly one of
 * {@code complete} or {@code fail}. The first of those two ends the exchange; calls after it are
 * ignored, so a proxy that calls both (for example {@code fail} and then its own 502 and
 * {@code complete}) does not count the request twice. When the proxy answers a failure itself, it
 * should pass its answer to {@code responseHead} before calling {@code fail}, so the status code is
 * recorded as well as the failure.
 */
final class TracingExchangeObserver implements ExchangeObserver {

  private static final Logger LOG = LoggerFactory.getLogger(TracingExchangeObserver.class);

  static final String MDC_TRACE_ID = "trace_id";
  static final String MDC_SPAN_ID = "span_id";

  // Semconv (incubating in 1.45) body-size span attributes.
  static final AttributeKey<Long> REQUEST_BODY_SIZE = AttributeKey.longKey("http.request.body.size");
  static final AttributeKey<Long> RESPONSE_BODY_SIZE = AttributeKey.longKey("http.response.body.size");

  private static final String SCHEME = "http";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final HttpInstruments instruments;
  private final ExportedSpans exported;
  private final ExchangeAttributes attributes = new ExchangeAttributes();

  /** The instruments one proxied exchange records into. */
  record HttpInstruments(DoubleHistogram duration, LongUpDownCounter activeRequests, LongHistogram requestBodySize,
      LongHistogram responseBodySize, LongHistogram wordCount, LongCounter upstreamConnectionErrors) {

    static HttpInstruments create(Instruments i) {
      return new HttpInstruments(i.doubleHistogram(MetricDefinition.HTTP_SERVER_REQUEST_DURATION),
          i.upDownCounter(MetricDefinition.HTTP_SERVER_ACTIVE_REQUESTS),
          i.longHistogram(MetricDefinition.HTTP_SERVER_REQUEST_BODY_SIZE),
          i.longHistogram(MetricDefinition.HTTP_SERVER_RESPONSE_BODY_SIZE),
          i.longHistogram(MetricDefinition.UPLOAD_WORD_COUNT), i.counter(MetricDefinition.UPSTREAM_CONNECTION_ERRORS));
    }
  }

  TracingExchangeObserver(Tracer tracer, TextMapPropagator propagator, HttpInstruments instruments,
      ExportedSpans exported) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.instruments = instruments;
    this.exported = exported;
  }

  @Override
  public Exchange start(HttpRequest request, String clientAddress) {
    return new ObservedExchange(request, clientAddress);
  }

  private final class ObservedExchange implements Exchange {

    private final RequestInfo info;
    private final Span span;
    private final Context context;
    private final SpanContext parentSpan;
    private final Attributes activeAttributes;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private long requestBytes;
    private long responseBytes;
    private int status;
    private BannerReader page;

    ObservedExchange(HttpRequest request, String clientAddress) {
      this.info = RequestInfo.of(request);
      Context parent = propagator.extract(Context.root(), request.headers(), NettyHeaders.GETTER);
      var builder = tracer.spanBuilder(info.spanName())
          .setSpanKind(SpanKind.SERVER)
          .setParent(parent)
          .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, info.method())
          .setAttribute(UrlAttributes.URL_SCHEME, SCHEME)
          .setAttribute(UrlAttributes.URL_PATH, info.path())
          .setAttribute(NetworkAttributes.NETWORK_PROTOCOL_VERSION, info.protocolVersion());
      info.route().ifPresent(r -> builder.setAttribute(HttpAttributes.HTTP_ROUTE, r));
      info.originalMethod().ifPresent(m -> builder.setAttribute(HttpAttributes.HTTP_REQUEST_METHOD_ORIGINAL, m));
      info.serverAddress().ifPresent(a -> builder.setAttribute(ServerAttributes.SERVER_ADDRESS, a));
      info.serverPort().ifPresent(p -> builder.setAttribute(ServerAttributes.SERVER_PORT, p));
      info.userAgent().ifPresent(ua -> builder.setAttribute(UserAgentAttributes.USER_AGENT_ORIGINAL, ua));
      if (clientAddress != null && !clientAddress.isEmpty()) {
        builder.setAttribute(ClientAttributes.CLIENT_ADDRESS, clientAddress);
      }
      this.span = builder.startSpan();
      this.context = parent.with(span);
      this.parentSpan = Span.fromContext(parent).getSpanContext();
      this.activeAttributes = attributes.active(info.method());
      instruments.activeRequests().add(1, activeAttributes, context);
    }

    @Override
    public void injectUpstream(HttpHeaders upstreamHeaders) {
      propagator.inject(context, upstreamHeaders, NettyHeaders.SETTER);
    }

    @Override
    public void requestBody(int bytes) {
      requestBytes += bytes;
    }

    @Override
    public void responseHead(HttpResponse response) {
      if (ended.get()) {
        return;
      }
      status = response.status().code();
      if (info.isUpload() && status >= 200 && status < 300) {
        page = BannerReader.forResponse(response);
      }
    }

    @Override
    public void responseBody(ByteBuf content) {
      if (ended.get()) {
        return;
      }
      responseBytes += content.readableBytes();
      if (page != null) {
        page.accept(content);
      }
    }

    @Override
    public void complete() {
      end(Optional.empty(), null);
    }

    @Override
    public void fail(FailureKind kind, Throwable cause) {
      end(Optional.of(kind), cause);
    }

    @Override
    @SuppressWarnings("try") // the scope is the point: it makes the span current for the action
    public void runInContext(Runnable action) {
      SpanContext sc = span.getSpanContext();
      String previousTrace = MDC.get(MDC_TRACE_ID);
      String previousSpan = MDC.get(MDC_SPAN_ID);
      try (Scope ignored = context.makeCurrent()) {
        if (sc.isValid()) {
          MDC.put(MDC_TRACE_ID, sc.getTraceId());
          MDC.put(MDC_SPAN_ID, sc.getSpanId());
        }
        action.run();
      } finally {
        restore(MDC_TRACE_ID, previousTrace);
        restore(MDC_SPAN_ID, previousSpan);
      }
    }

    private void end(Optional<FailureKind> failure, Throwable cause) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      Optional<BannerReader.Result> read = Optional.ofNullable(page).map(BannerReader::read);
      page = null;
      Outcome outcome = OutcomeClassifier.classify(status, failure, info.isUpload(), read);
      Optional<String> errorType = errorType(outcome, failure);

      Attributes metricAttributes = attributes.metric(info.method(), info.metricRoute(), outcome, failure, status,
          errorType);

      // An exemplar only where the span is exported, so a bucket's trace link always opens a trace.
      Context metrics = exported.keeps(SpanKind.SERVER, errorType.isPresent(), parentSpan,
          span.getSpanContext().getTraceId()) ? context : Context.root();
      instruments.duration().record(seconds, metricAttributes, metrics);
      instruments.requestBodySize().record(requestBytes, metricAttributes, metrics);
      instruments.responseBodySize().record(responseBytes, metricAttributes, metrics);
      instruments.activeRequests().add(-1, activeAttributes, metrics);
      failure.filter(OutcomeClassifier::isUpstream).ifPresent(kind -> instruments.upstreamConnectionErrors()
          .add(1, attributes.upstreamError(kind), metrics));

      Optional<ResultPage.Banner> banner = read.flatMap(BannerReader.Result::banner);
      Optional<WordCounts> counts = banner.flatMap(ResultPage.Banner::counts);
      if ((outcome == Outcome.SUCCESS || outcome == Outcome.EMPTY) && counts.isPresent()) {
        instruments.wordCount().record(counts.get().words(), attributes.wordCount(outcome), metrics);
      }

      if (status > 0) {
        span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, status);
      }
      span.setAttribute(TelemetryAttributes.OUTCOME, outcome.attributeValue());
      span.setAttribute(REQUEST_BODY_SIZE, requestBytes);
      span.setAttribute(RESPONSE_BODY_SIZE, responseBytes);
      read.ifPresent(r -> span.setAttribute(TelemetryAttributes.BANNER, r.status().attributeValue()));
      counts.ifPresent(c -> {
        span.setAttribute(TelemetryAttributes.WORD_COUNT, c.words());
        span.setAttribute(TelemetryAttributes.UNIQUE_WORD_COUNT, c.uniqueWords());
      });
      banner.flatMap(ResultPage.Banner::error).ifPresent(e -> span.setAttribute(TelemetryAttributes.APP_ERROR, e));
      errorType.ifPresent(t -> span.setAttribute(ErrorAttributes.ERROR_TYPE, t));
      if (outcome == Outcome.UPSTREAM_ERROR || outcome == Outcome.APP_ERROR) {
        span.setStatus(StatusCode.ERROR, statusDescription(outcome, banner, failure));
      }
      if (cause != null) {
        span.recordException(cause);
      }
      span.end();
      if (outcome == Outcome.APP_ERROR) {
        // Only the agent can tell this 200 page is a failure: say so in the log, with the span current
        // so the line carries its trace id (stderr and OTLP alike). The proxy logs upstream failures.
        String appError = banner.flatMap(ResultPage.Banner::error).orElse("no result banner");
        runInContext(() -> LOG.info("{} {} -> {} app_error: {}", info.method(), info.metricRoute(), status, appError));
      }
    }

    private Optional<String> errorType(Outcome outcome, Optional<FailureKind> failure) {
      if (failure.isPresent()) {
        return Optional.of(attributes.failureType(failure.get()));
      }
      if (status >= 500) {
        return Optional.of(Integer.toString(status));
      }
      if (status == 0) {
        return Optional.of(ErrorAttributes.ErrorTypeValues.OTHER);
      }
      if (outcome == Outcome.APP_ERROR) {
        return Optional.of(outcome.attributeValue());
      }
      return Optional.empty();
    }

    private String statusDescription(Outcome outcome, Optional<ResultPage.Banner> banner,
        Optional<FailureKind> failure) {
      if (failure.isPresent()) {
        return failureType(failure.get());
      }
      if (outcome == Outcome.APP_ERROR) {
        return banner.flatMap(ResultPage.Banner::error).orElse("upload answered without a result banner");
      }
      return status > 0 ? "HTTP " + status : "no response";
    }
  }

  static String failureType(FailureKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  private static void restore(String key, String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
