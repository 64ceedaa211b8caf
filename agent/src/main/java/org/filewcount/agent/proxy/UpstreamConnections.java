package org.filewcount.agent.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/** Where an exchange borrows its app connection: {@link UpstreamPool}, or a test's embedded channel. */
interface UpstreamConnections {

  /** A connection whose last handler is an {@link UpstreamHandler}, on {@code loop}. */
  Future<Channel> acquire(EventLoop loop);

  /** Back for the next request when {@code reusable}, else closed; either way the slot is freed. */
  void release(Channel channel, boolean reusable);
}
