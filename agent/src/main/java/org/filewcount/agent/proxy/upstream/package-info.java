/**
 * Connections to the app: a bounded keep-alive pool per event loop, and the one handler of each app
 * connection, which relays the response to the exchange that borrowed the connection, strips its
 * hop-by-hop headers, drops interim 1xx responses, notes whether the app keeps the connection open,
 * and times the app (silence while the proxy waits on it) and the pool (idle connections).
 */
package org.filewcount.agent.proxy.upstream;
