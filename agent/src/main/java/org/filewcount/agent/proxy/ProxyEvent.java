package org.filewcount.agent.proxy;

/** User events the proxy fires into its own pipelines. */
enum ProxyEvent {
  /** The server stopped accepting: close the connection now if idle, else after the current response. */
  DRAIN,
  /** A pooled app connection was handed to an exchange. */
  UPSTREAM_ACQUIRED,
  /** A pooled app connection went back to the pool. */
  UPSTREAM_RELEASED
}
