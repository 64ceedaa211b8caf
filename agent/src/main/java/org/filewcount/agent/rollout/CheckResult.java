package org.filewcount.agent.rollout;

/**
 * One check of a canary judgement, with enough to say why it failed: which query, which value, which
 * threshold.
 *
 * @param name requests, health, error_ratio, p99, error_ratio_vs_stable
 * @param query the PromQL or API call the value came from
 * @param value what was measured (NaN when there was nothing to measure)
 * @param threshold the limit, as the operator wrote it (flag and value)
 */
record CheckResult(String name, String query, double value, String threshold, boolean passed, String detail) {

  public String describe() {
    return name + " " + detail + (passed ? "" : " (query: " + query + ")");
  }
}
