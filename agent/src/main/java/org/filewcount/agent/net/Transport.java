package org.filewcount.agent.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll on Linux (fewer copies and syscalls), NIO elsewhere or when the native library cannot load. */
public record Transport(String name, Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> channel) {

  public static Transport best() {
    if (Epoll.isAvailable()) {
      return new Transport("epoll", EpollServerSocketChannel.class, EpollSocketChannel.class);
    }
    return new Transport("nio", NioServerSocketChannel.class, NioSocketChannel.class);
  }

  public EventLoopGroup newGroup(int threads, String threadPrefix) {
    DefaultThreadFactory factory = new DefaultThreadFactory(threadPrefix, true);
    return new MultiThreadIoEventLoopGroup(threads, factory,
        name.equals("epoll") ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }
}
