/**
 * One timer per connection. Every timeout of a connection (idle, request head, request body, stalled
 * reader, lingering close on the client side; app silence and idle-in-pool on the app side) is a
 * deadline the connection's handler keeps in plain fields; a single scheduled task per connection
 * checks them. Moving a deadline is a field write, never a cancel and reschedule on the hot path.
 */
package org.filewcount.agent.proxy.timing;
