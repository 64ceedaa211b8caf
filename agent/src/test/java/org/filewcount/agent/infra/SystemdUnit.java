package org.filewcount.agent.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A systemd unit file read as systemd reads it: sections, keys that may repeat, backslash continuations. */
record SystemdUnit(Map<String, List<String>> values) {

  static SystemdUnit read(Path file) throws IOException {
    Map<String, List<String>> values = new LinkedHashMap<>();
    String section = "";
    StringBuilder pending = new StringBuilder();
    for (String raw : Files.readAllLines(file)) {
      String line = raw.strip();
      if (pending.length() == 0 && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      String full = pending.append(line).toString();
      pending.setLength(0);
      if (full.startsWith("[")) {
        section = full.substring(1, full.indexOf(']'));
        continue;
      }
      int eq = full.indexOf('=');
      values.computeIfAbsent(section + "." + full.substring(0, eq).strip(), k -> new ArrayList<>())
          .add(full.substring(eq + 1).strip());
    }
    return new SystemdUnit(values);
  }

  /** The last value of Section.Key (systemd's rule for single-valued settings), or "" when unset. */
  String get(String sectionDotKey) {
    List<String> v = values.get(sectionDotKey);
    return v == null || v.isEmpty() ? "" : v.get(v.size() - 1);
  }

  /** Seconds of a value like "20s", "2min" or "90". */
  static long seconds(String value) {
    if (value.endsWith("min")) {
      return Long.parseLong(value.substring(0, value.length() - 3)) * 60;
    }
    return Long.parseLong(value.endsWith("s") ? value.substring(0, value.length() - 1) : value);
  }
}
