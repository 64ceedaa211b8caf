package org.filewcount.agent.rollout.report;

import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.filewcount.agent.rollout.RolloutEvent;
import org.filewcount.agent.rollout.RolloutListener;
import org.filewcount.agent.split.Json;

/** Progress on stdout: one line per event, text or one JSON object per line (--output json). */
final class ConsoleReporter implements RolloutListener {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final PrintWriter out;
  private final boolean json;

  public ConsoleReporter(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  @Override
  public synchronized void on(RolloutEvent e) {
    if (json) {
      out.println(Json.write(e.json()));
    } else {
      out.println("[" + TIME.format(e.time()) + "Z] " + e.text());
    }
    out.flush();
  }
}
