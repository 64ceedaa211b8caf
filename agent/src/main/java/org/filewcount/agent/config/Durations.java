package org.filewcount.agent.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in the notation Nomad, Consul and Prometheus users already write: 500ms, 10s, 5m, 1h, 1m30s. */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expected a duration such as 500ms, 10s, 5m or 1h, got an empty value");
    }
    String value = text.trim();
    Matcher m = PART.matcher(value);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      long amount = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      });
      end = m.end();
    }
    if (end == 0 || end != value.length()) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration: use a number with a unit (ms, s, m, h), for example 10s or 1m30s");
    }
    return total;
  }

  /** Formats the way {@link #parse} reads, so values printed in errors and status can be pasted back. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
