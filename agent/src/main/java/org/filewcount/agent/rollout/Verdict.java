package org.filewcount.agent.rollout;

import java.util.List;
import java.util.stream.Collectors;

/** The outcome of judging the canary once: passed only if every check passed. */
record Verdict(List<CheckResult> checks) {

  public Verdict {
    checks = List.copyOf(checks);
  }

  public boolean passed() {
    return checks.stream().allMatch(CheckResult::passed);
  }

  public List<CheckResult> failed() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** One line: the failed checks if any, else all of them. */
  public String summary() {
    List<CheckResult> shown = passed() ? checks : failed();
    return shown.stream().map(passed() ? c -> c.name() + " " + c.detail() : CheckResult::describe)
        .collect(Collectors.joining("; "));
  }
}
