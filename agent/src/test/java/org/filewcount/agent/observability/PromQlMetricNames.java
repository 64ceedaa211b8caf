package org.filewcount.agent.observability;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression selects (also with Grafana's variables and its
 * {@code label_values()} / {@code query_result()} template functions). Not a PromQL parser: it removes
 * what can hold identifiers that are not metric names (strings, label matchers, ranges, grouping
 * labels), then keeps the identifiers that are neither functions nor keywords.
 */
final class PromQlMetricNames {

  private static final Set<String> KEYWORDS = Set.of(
      "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
      "and", "or", "unless", "offset", "inf", "nan", "atan2");

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\$?(?:\\{[^}]*}|[A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern LABEL_VALUES_WITH_METRIC =
      Pattern.compile("label_values\\s*\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)", Pattern.DOTALL);
  private static final Pattern LABEL_VALUES_LABEL_ONLY = Pattern.compile("label_values\\s*\\(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?[0-9a-z]+");
  private static final Pattern AT_MODIFIER = Pattern.compile("@\\s*(?:start\\(\\)|end\\(\\)|[0-9.]+)");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

  private static final Pattern SELECTOR = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER_LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(?:=~|!~|!=|=)");
  private static final Pattern GROUPING_LABELS = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");

  private PromQlMetricNames() {
  }

  /** Label names each selector of the expression matches on, by metric name ({@code up{job="a"}} gives up: [job]). */
  static Map<String, Set<String>> matcherLabels(String expression) {
    String expr = GRAFANA_VARIABLE.matcher(expression).replaceAll(" ");
    Map<String, Set<String>> labels = new TreeMap<>();
    Matcher selector = SELECTOR.matcher(expr);
    while (selector.find()) {
      Set<String> names = labels.computeIfAbsent(selector.group(1), k -> new TreeSet<>());
      Matcher label = MATCHER_LABEL.matcher(STRING.matcher(selector.group(2)).replaceAll(" "));
      while (label.find()) {
        names.add(label.group(1));
      }
    }
    return labels;
  }

  /** Label names of every {@code by (...)} and {@code without (...)} clause of the expression. */
  static Set<String> groupingLabels(String expression) {
    String expr = GRAFANA_VARIABLE.matcher(expression).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher grouping = GROUPING_LABELS.matcher(expr);
    while (grouping.find()) {
      for (String name : grouping.group(1).split(",")) {
        if (!name.isBlank()) {
          names.add(name.strip());
        }
      }
    }
    return names;
  }

  static Set<String> of(String expression) {
    String expr = LABEL_VALUES_LABEL_ONLY.matcher(expression).replaceAll(" ");
    expr = LABEL_VALUES_WITH_METRIC.matcher(expr).replaceAll("($1)");
    expr = STRING.matcher(expr).replaceAll(" ");
    expr = GRAFANA_VARIABLE.matcher(expr).replaceAll(" ");
    expr = MATCHERS.matcher(expr).replaceAll(" ");
    expr = RANGE.matcher(expr).replaceAll(" ");
    expr = GROUPING.matcher(expr).replaceAll(" ");
    expr = OFFSET.matcher(expr).replaceAll(" ");
    expr = AT_MODIFIER.matcher(expr).replaceAll(" ");

    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(expr);
    while (identifier.find()) {
      String name = identifier.group();
      int before = identifier.start() - 1;
      if (before >= 0 && (Character.isDigit(expr.charAt(before)) || expr.charAt(before) == '.')) {
        continue; // exponent or suffix of a number literal: 1e3, 0x1f
      }
      if (KEYWORDS.contains(name.toLowerCase()) || followedByParenthesis(expr, identifier.end())) {
        continue; // aggregation, function, operator
      }
      names.add(name);
    }
    return names;
  }

  private static boolean followedByParenthesis(String expr, int from) {
    for (int i = from; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c == '(';
      }
    }
    return false;
  }
}
