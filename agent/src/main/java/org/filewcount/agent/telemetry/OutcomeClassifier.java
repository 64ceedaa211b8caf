package org.filewcount.agent.telemetry;

import java.util.Optional;
import org.filewcount.agent.app.Outcome;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Decides what really happened to a request. The status code decides everything except a 2xx answer
 * to an upload, where the page's banner does: filewcount reports failed uploads inside 200 pages.
 */
final class OutcomeClassifier {

  private OutcomeClassifier() {}

  /**
   * @param status the response status, or 0 when no response head was seen
   * @param failure why the exchange ended early, if it did
   * @param upload whether the request was an upload (POST /file_upload)
   * @param page what the banner reader found; empty when the page was not read
   */
  static Outcome classify(int status, Optional<FailureKind> failure, boolean upload,
      Optional<BannerReader.Result> page) {
    if (failure.isPresent()) {
      return isUpstream(failure.get()) ? Outcome.UPSTREAM_ERROR : Outcome.REJECTED;
    }
    if (status >= 500 || status == 0) {
      return Outcome.UPSTREAM_ERROR;
    }
    if (status >= 400) {
      return Outcome.REJECTED;
    }
    if (upload && status >= 200 && status < 300 && page.isPresent()) {
      BannerReader.Result r = page.get();
      switch (r.status()) {
        case FOUND: return r.banner().map(ResultPage.Banner::outcome).orElseThrow();
        // A 2xx answer to an upload without a result banner did not count anything.
        case MISSING: return Outcome.APP_ERROR;
        case UNREADABLE: return Outcome.SUCCESS;
        default: throw new IllegalStateException(r.status().toString());
      }
    }
    return Outcome.SUCCESS;
  }

  /** Failures between the proxy and the app, as opposed to the client's doing. */
  static boolean isUpstream(FailureKind kind) {
    switch (kind) {
      case UPSTREAM_CONNECT:
      case UPSTREAM_TIMEOUT:
      case UPSTREAM_RESET:
        return true;
      default:
        return false;
    }
  }
}
