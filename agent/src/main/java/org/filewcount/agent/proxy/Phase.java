package org.filewcount.agent.proxy;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where one exchange (a request and its response) is, and the moves it may make. The request body's
 * progress is a separate fact (it may still be arriving while the response goes out); everything else
 * an exchange does is decided by its phase.
 */
enum Phase {
  /** The head has arrived; waiting for a connection to the app. Nothing of the body is read yet. */
  ACQUIRING,
  /** The request streams to the app; no response yet. */
  FORWARDING,
  /** The app's response streams to the client (a request body still arriving is dropped). */
  RELAYING,
  /** The proxy's own answer (a refusal, 408, 413, 502, 503, 504) is on its way to the client. */
  ANSWERING,
  /** The answer is written; the rest of a small request body is read and dropped so the connection stays usable. */
  DRAINING_BODY,
  /** The response is complete and the request fully read (or the connection is closing anyway). */
  DONE,
  /** The client connection was cut, or went away, before the exchange could end normally. */
  CUT;

  private Set<Phase> next;

  static {
    ACQUIRING.next = EnumSet.of(FORWARDING, ANSWERING, CUT);
    FORWARDING.next = EnumSet.of(RELAYING, ANSWERING, CUT);
    RELAYING.next = EnumSet.of(DONE, CUT);
    ANSWERING.next = EnumSet.of(DRAINING_BODY, DONE, CUT);
    DRAINING_BODY.next = EnumSet.of(DONE, CUT);
    DONE.next = EnumSet.noneOf(Phase.class);
    CUT.next = EnumSet.noneOf(Phase.class);
  }

  boolean canMoveTo(Phase to) {
    return next.contains(to);
  }

  /** {@code to}, if this phase may move there; an impossible move is a bug in the caller. */
  Phase moveTo(Phase to) {
    if (!next.contains(to)) {
      throw new IllegalStateException("an exchange cannot go from " + this + " to " + to);
    }
    return to;
  }

  /** The response has started: its status can no longer change, only the connection can be cut. */
  boolean responseStarted() {
    return this == RELAYING || this == ANSWERING || this == DRAINING_BODY;
  }

  boolean ended() {
    return this == DONE || this == CUT;
  }
}
