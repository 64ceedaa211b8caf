package org.filewcount.agent.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads the kernel's TCP tables (/proc/net/tcp, tcp6): the only honest count of open connections. */
final class ProcNet {

  private ProcNet() {}

  /** "0100007F:1F90" -> "127.0.0.1:8080"; IPv6 entries -> "::1:port" style for loopback, hex otherwise. */
  static String address(String hex) {
    String[] parts = hex.split(":");
    int port = Integer.parseInt(parts[1], 16);
    String ip = parts[0];
    if (ip.length() == 8) {
      return ipv4(ip) + ":" + port;
    }
    if (ip.equals("00000000000000000000000001000000")) {
      return "::1:" + port;
    }
    if (ip.startsWith("0000000000000000FFFF0000")) {
      return "::ffff:" + ipv4(ip.substring(24)) + ":" + port;
    }
    if (ip.equals("00000000000000000000000000000000")) {
      return ":::" + port;
    }
    return ip + ":" + port;
  }

  private static String ipv4(String littleEndianHex) {
    StringBuilder sb = new StringBuilder();
    for (int i = 3; i >= 0; i--) {
      sb.append(Integer.parseInt(littleEndianHex.substring(i * 2, i * 2 + 2), 16));
      if (i > 0) {
        sb.append('.');
      }
    }
    return sb.toString();
  }

  /**
   * TCP sockets in this network namespace whose local port is {@code port}, excluding the listener and
   * TIME_WAIT (a closed connection's harmless tail): established, CLOSE_WAIT (a peer closed and we did
   * not: a leak) and the rest.
   */
  static long openConnectionsOnLocalPort(int port) throws IOException {
    long n = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
        String state = f[3];
        if (local == port && !state.equals("0A") && !state.equals("06")) {
          n++;
        }
      }
    }
    return n;
  }
}
