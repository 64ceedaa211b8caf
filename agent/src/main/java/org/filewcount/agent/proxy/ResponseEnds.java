package org.filewcount.agent.proxy;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Follows a stream of outgoing (or incoming) response objects and says which one ends a final
 * response. Interim 1xx responses (100 Continue) also end with a {@link LastHttpContent}, and must
 * not count as the answer to a request.
 */
final class ResponseEnds {

  private boolean informational;

  /** True when {@code msg} is the last piece of a final (non-1xx) response. */
  boolean endsFinalResponse(Object msg) {
    if (msg instanceof HttpResponse r) {
      informational = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
    if (msg instanceof LastHttpContent) {
      boolean wasInformational = informational;
      informational = false;
      return !wasInformational;
    }
    return false;
  }

  /** True while the pieces seen belong to an interim 1xx response. */
  boolean inInformational() {
    return informational;
  }
}
