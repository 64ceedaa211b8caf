package org.filewcount.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's own version, stamped into the jar by the build. */
public final class AgentVersion {

  private static final String VERSION = load();

  private AgentVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = AgentVersion.class.getResourceAsStream("/org/filewcount/agent/version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
