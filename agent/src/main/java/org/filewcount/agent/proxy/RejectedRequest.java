package org.filewcount.agent.proxy;

import io.netty.handler.codec.http.HttpRequest;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Passed down the client pipeline in place of a request head that a check refused before anything
 * went upstream (malformed, too large, unsupported). The forwarding handler answers it, so every
 * request, refused or not, is seen by the {@link ExchangeObserver} and counted in flight the same way.
 *
 * @param request the head as decoded (possibly Netty's placeholder for an unparseable request line)
 */
record RejectedRequest(HttpRequest request, int status, FailureKind kind, String reason) {}
