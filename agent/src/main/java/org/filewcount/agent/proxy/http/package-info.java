/**
 * The HTTP/1.1 rules of the proxy, as plain functions over Netty's message objects: the strict server
 * codec, the request checks (with the status each refusal gets), hop-by-hop and forwarded headers, and
 * the proxy's own answers. Nothing here keeps connection state beyond what a rule needs (the codec's
 * HEAD bookkeeping, the per-connection Host cache), so each rule is tested on its own.
 */
package org.filewcount.agent.proxy.http;
