package org.filewcount.agent.proxy;

import io.netty.handler.codec.http.HttpObject;

/** The exchange that borrowed an app connection, as the connection's handler sees it. */
interface UpstreamListener {

  /** A piece of the app's final response (interim 1xx responses never arrive here). */
  void fromUpstream(HttpObject msg);

  /** The app connection delivered what one read gave. */
  void upstreamReadComplete();

  /** The app connection can take more of the request body. */
  void upstreamWritable();

  /** The app connection closed. */
  void upstreamClosed();

  /** Writing to or reading from the app failed. */
  void upstreamFailed(Throwable cause);

  /** The app was silent for longer than the response timeout while the proxy waited on it. */
  void upstreamTimedOut(String reason);
}
