package org.filewcount.agent.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.testing.HashiCorpFacts;
import org.filewcount.agent.testing.RepoFiles;

/**
 * The jq calls of a shell script, found by reading it (so a new or changed call is covered without a test change),
 * each with the command that feeds it, and a run of each against the output shape that command has
 * (src/test/resources/hashicorp/cli-output/, taken from Nomad's source at v1.10.5 and Consul's API docs).
 */
final class ScriptJqCalls {

  /** Which fixture a feeding command's output looks like; the first pattern found last on the line wins. */
  static final Map<Pattern, String> SOURCES = new LinkedHashMap<>();

  static {
    SOURCES.put(Pattern.compile("nomad job inspect(?![^|]*-json)"), "nomad-job-inspect");
    SOURCES.put(Pattern.compile("nomad job inspect[^|]*-json"), "nomad-job-inspect-json");
    SOURCES.put(Pattern.compile("nomad job status -json"), "nomad-job-status-json");
    SOURCES.put(Pattern.compile("nomad alloc status -json\\s+[^|)\\s]"), "nomad-allocation");
    SOURCES.put(Pattern.compile("/v1/allocations|/v1/job/[^/\\s]+/allocations|nomad job allocs -json|nomad alloc status -json"),
        "nomad-allocations");
    SOURCES.put(Pattern.compile("nomad node status -json(?!\\s+[^|)\\s])"), "nomad-nodes");
    SOURCES.put(Pattern.compile("/v1/nodes\\b"), "nomad-nodes");
    SOURCES.put(Pattern.compile("/v1/health/service/"), "consul-health-service");
    SOURCES.put(Pattern.compile("consul config read"), "consul-config-entry-resolver");
    SOURCES.put(Pattern.compile("/v1/catalog/services\\b"), "consul-catalog-services");
    SOURCES.put(Pattern.compile("/v1/agent/self\\b"), "consul-agent-self");
    SOURCES.put(Pattern.compile("/v1/job/[^/\\s\"?]+(?=[\"\\s?]|$)"), "nomad-job");
    SOURCES.put(Pattern.compile("/v1/jobs\\b"), "nomad-jobs");
    SOURCES.put(Pattern.compile("/v1/allocation/"), "nomad-allocation");
    SOURCES.put(Pattern.compile("/v1/operator/scheduler/configuration(?!\\?cas=)"), "nomad-scheduler-configuration");
    SOURCES.put(Pattern.compile("/v1/operator/scheduler/configuration\\?cas="), "nomad-scheduler-configuration-put");
  }

  private static final Pattern JQ = Pattern.compile(
      "\\bjq((?:\\s+(?:--arg(?:json)?\\s+\\w+\\s+(?:\"[^\"]*\"|'[^']*'|\\S+)|--slurpfile\\s+\\w+\\s+(?:\"[^\"]*\"|\\S+)"
          + "|-[a-zA-Z]+))*)\\s+'([^']*)'"
          // a file jq reads instead of stdin: a quoted word or one starting $, / or . (not 2>/dev/null)
          + "(?:\\s+(\"[^\"]*\"|[$/.][^\\s|<>)&;]*))?");
  /** A pipe between two stages, not the || of a list. */
  private static final Pattern PIPE = Pattern.compile("(?<!\\|)\\|(?!\\|)");
  private static final Pattern OPTION = Pattern.compile(
      "--(arg|argjson|slurpfile)\\s+(\\w+)\\s+(\"[^\"]*\"|'[^']*'|\\S+)|(-[a-zA-Z]+)");
  private static final Pattern ASSIGNMENT = Pattern.compile("\\b(\\w+)=\\$\\((.*)\\)");
  private static final Pattern PATH_VAR = Pattern.compile("\\b(\\w+)=\"\\$ROOT/([^\"]+)\"");
  private static final Pattern STRING_VAR = Pattern.compile("\\b(\\w+)=\"([^\"]*)\"");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{?(\\w+)}?");
  private static final Pattern HERE_STRING = Pattern.compile("^\\s*\\)?\\s*<<<\\s*\"\\$(\\w+)\"");

  /** One jq call: where it is, its options, its filter, and the JSON it reads (empty for -n). */
  record Call(String where, List<String> options, String filter, Optional<String> input, String line) {}

  private final String file;
  private final List<String> lines;
  /** Assignments by logical line: commands ($(...)), $ROOT/ paths and plain strings, looked up nearest-before. */
  private record Assign(int line, String name, String kind, String value) {}

  private final List<Assign> assigns = new ArrayList<>();
  private int at;
  private final Map<String, String> fixtures;

  ScriptJqCalls(String file, String text, Map<String, String> fixtures) {
    this.file = file;
    this.fixtures = fixtures;
    this.lines = logicalLines(text);
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      Matcher a = ASSIGNMENT.matcher(l);
      if (a.find()) {
        assigns.add(new Assign(i, a.group(1), "command", a.group(2)));
      }
      Matcher p = PATH_VAR.matcher(l);
      if (p.find()) {
        assigns.add(new Assign(i, p.group(1), "path", p.group(2)));
      }
      Matcher str = STRING_VAR.matcher(l);
      while (str.find()) {
        assigns.add(new Assign(i, str.group(1), "string", str.group(2)));
      }
    }
  }

  /** The last assignment of {@code name} of that kind on or before line {@code before}. */
  private Optional<Assign> last(String name, String kind, int before) {
    Assign found = null;
    for (Assign a : assigns) {
      if (a.line() <= before && a.name().equals(name) && a.kind().equals(kind)) {
        found = a;
      }
    }
    return Optional.ofNullable(found);
  }

  /** {@code $name} references replaced by the strings assigned before, a few levels deep ("$url&filter=..."). */
  private String expand(String text, int before, int depth) {
    if (depth > 4) {
      return text;
    }
    Matcher ref = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (ref.find()) {
      Optional<Assign> a = last(ref.group(1), "string", before);
      String value = a.map(x -> expand(x.value(), x.line() - 1, depth + 1)).orElse(ref.group());
      ref.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    ref.appendTail(out);
    return out.toString();
  }

  /** Every jq call with a filter, or a problem line for one whose input has no known shape. */
  List<Call> calls(List<String> problems) {
    List<Call> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      at = i;
      Matcher m = JQ.matcher(line);
      while (m.find()) {
        String where = file + " (logical line " + (i + 1) + ")";
        try {
          out.add(call(where, line, m));
        } catch (IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage() + ": " + line.strip());
        }
      }
    }
    return out;
  }

  private Call call(String where, String line, Matcher m) {
    List<String> options = new ArrayList<>();
    Matcher o = OPTION.matcher(m.group(1));
    while (o.find()) {
      if (o.group(4) != null) {
        options.add(o.group(4));
      } else {
        options.addAll(option(o.group(1), o.group(2), unquote(o.group(3))));
      }
    }
    // Inside a bash -c "..." string the script escapes jq's $variables as \$.
    String filter = m.group(2).replace("\\$", "$");
    boolean noInput = options.stream().anyMatch(opt -> opt.matches("-[a-z]*n[a-z]*"));
    Optional<String> input = noInput ? Optional.empty() : Optional.of(input(line, m));
    return new Call(where, options, filter, input, line.strip());
  }

  /** jq's options with the value the script passes turned into something runnable here. */
  private List<String> option(String kind, String name, String value) {
    return switch (kind) {
      case "arg" -> List.of("--arg", name, "1.0");
      case "argjson" -> List.of("--argjson", name, variableJson(value));
      default -> {
        String var = value.replaceAll("^\\$\\{?(\\w+)}?$", "$1");
        String repoPath = last(var, "path", at).map(Assign::value).orElse(null);
        if (repoPath == null) {
          throw new IllegalArgumentException("--slurpfile " + name + " reads " + value + ", which is not a $ROOT/ path");
        }
        yield List.of("--slurpfile", name, RepoFiles.resolve(repoPath).toString());
      }
    };
  }

  private String input(String line, Matcher m) {
    if (m.group(3) != null) {
      return fileJson(m.group(3));
    }
    Matcher here = HERE_STRING.matcher(line.substring(m.end()));
    if (here.find()) {
      return variableJson("$" + here.group(1));
    }
    String before = line.substring(0, m.start());
    if (!before.stripTrailing().endsWith("|")) {
      throw new IllegalArgumentException("jq reads neither a pipe nor a here-string");
    }
    return fixtureFor(before, at);
  }

  /**
   * The JSON in a file the script wrote itself: the nearest earlier line naming the same file (as written, e.g.
   * {@code "$dir/nomad/jobs.json"}) whose command has a known output shape, such as scripts/diag's
   * {@code fetch HEADERS URL FILE}; a line that only tests for the file has no shape and is passed over.
   */
  private String fileJson(String file) {
    for (int i = at - 1; i >= 0; i--) {
      String l = lines.get(i);
      if (l.contains(file) && !JQ.matcher(l).find()) {
        try {
          return fixtureFor(l, i);
        } catch (IllegalArgumentException notAWriter) {
          // e.g. [ -f FILE ]: keep looking further up
        }
      }
    }
    throw new IllegalArgumentException("jq reads " + file + ", which no earlier line of the script writes from a"
        + " command with a known output shape");
  }

  /** The JSON a shell variable holds: the output of the command assigned to it. */
  private String variableJson(String reference) {
    String var = reference.replaceAll("^\"?\\$\\{?(\\w+)}?\"?$", "$1");
    String command = last(var, "command", at).map(Assign::value).orElse(null);
    if (command == null) {
      throw new IllegalArgumentException("$" + var + " is not assigned from a command in this script");
    }
    Matcher m = JQ.matcher(command);
    // jq computes the value only when it is the last stage (jq ... | curl -X PUT ... holds curl's answer).
    if (m.find() && !PIPE.matcher(command.substring(m.end())).find()) {
      Call inner = call(file + " $" + var, command, m);
      Run r = run(inner);
      if (r.exit() != 0) {
        throw new IllegalArgumentException("the jq that computes $" + var + " fails: " + r.err());
      }
      return r.out();
    }
    return fixtureFor(command, at);
  }

  /** The fixture of the command on logical line {@code line}, its $references expanded as assigned before it. */
  private String fixtureFor(String raw, int line) {
    // "$url" -> the string the script assigned to url, so curl "$url" is known by its URL.
    String command = expand(raw, line, 0);
    String best = null;
    int bestAt = -1;
    for (Map.Entry<Pattern, String> s : SOURCES.entrySet()) {
      Matcher m = s.getKey().matcher(command);
      while (m.find()) {
        if (m.start() > bestAt) {
          bestAt = m.start();
          best = s.getValue();
        }
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no output shape is known for the command feeding jq: add a fixture under"
          + " src/test/resources/hashicorp/cli-output/ (from Nomad's or Consul's source or docs, cited) and its"
          + " pattern to ScriptJqCalls.SOURCES");
    }
    String fixture = fixtures.get(best);
    if (fixture == null) {
      throw new IllegalArgumentException("fixture " + best + " is missing");
    }
    return fixture;
  }

  record Run(int exit, String out, String err) {}

  static Run run(Call call) {
    List<String> command = new ArrayList<>(List.of("jq"));
    command.addAll(call.options());
    command.add(call.filter());
    try {
      Process p = new ProcessBuilder(command).start();
      p.getOutputStream().write(call.input().orElse("").getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Run(-1, out, "jq timed out");
      }
      return new Run(p.exitValue(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException("jq is needed for this test (apt-get install jq)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A call's output is usable when jq succeeds and yields something other than null or nothing. */
  static Optional<String> problem(Call call) {
    Run r = run(call);
    if (r.exit() != 0) {
      return Optional.of(call.where() + ": jq '" + call.filter() + "' fails on the documented output (exit "
          + r.exit() + "): " + r.err().strip());
    }
    String out = r.out().strip();
    if (out.isEmpty() || out.lines().anyMatch(l -> l.equals("null"))) {
      return Optional.of(call.where() + ": jq '" + call.filter() + "' yields " + (out.isEmpty() ? "nothing" : out)
          + " on the documented output: a path the real output does not have");
    }
    return Optional.empty();
  }

  /** The fixtures by name (file name without .json), each the "output" member of its file. */
  static Map<String, String> loadFixtures() {
    Map<String, String> out = new HashMap<>();
    for (String name : List.of("nomad-job-inspect", "nomad-job-inspect-json", "nomad-job-status-json",
        "nomad-allocations", "nomad-allocation", "nomad-nodes", "consul-health-service", "consul-config-entry-resolver",
        "consul-catalog-services", "consul-agent-self", "nomad-job", "nomad-jobs", "nomad-scheduler-configuration",
        "nomad-scheduler-configuration-put")) {
      out.put(name, HashiCorpFacts.load("cli-output/" + name + ".json").path("output").toString());
    }
    return out;
  }

  /** Lines joined where bash joins them: after a backslash, and after a trailing |, || or &&. */
  private static List<String> logicalLines(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String l : text.split("\n", -1)) {
      if (l.endsWith("\\")) {
        current.append(l, 0, l.length() - 1).append(' ');
      } else if (l.stripTrailing().endsWith("|") || l.stripTrailing().endsWith("&&")) {
        current.append(l.stripTrailing()).append(' ');
      } else {
        current.append(l);
        out.add(current.toString());
        current.setLength(0);
      }
    }
    return out;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && (s.startsWith("\"") || s.startsWith("'")) ? s.substring(1, s.length() - 1) : s;
  }
}
