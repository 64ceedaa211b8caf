package org.filewcount.agent.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** Who runs this command, as the rollout state and its messages name them: user@host. */
final class Operator {

  private Operator() {}

  static String describe(Map<String, String> env) {
    String user = env.getOrDefault("USER", env.getOrDefault("LOGNAME", System.getProperty("user.name", "unknown")));
    String host = env.get("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "unknown-host";
      }
    }
    return user + "@" + host;
  }
}
