package org.filewcount.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a go-bexpr filter expression (the language of Consul's {@code filter} parameter and of resolver subset
 * filters) the way Consul's grammar reads it: {@code or}, {@code and}, {@code not}, parentheses, and the matching
 * operators {@code ==}, {@code !=}, {@code is [not] empty}, {@code [not] in}, {@code [not] contains},
 * {@code [not] matches}; selectors must start with a root and field a service instance has (the lists come from
 * the rules resource). Returns the first problem, or empty when the expression is well formed.
 */
public final class BexprFilter {

  private static final Pattern TOKEN = Pattern.compile(
      "\\s*(?:(\\()|(\\))|(==|!=)|(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)|([A-Za-z0-9_][A-Za-z0-9_.\\-]*)|(\\S))");

  private final List<String> tokens = new ArrayList<>();
  private final JsonNode roots;
  private int pos;

  private BexprFilter(String expression, JsonNode roots) {
    this.roots = roots;
    Matcher m = TOKEN.matcher(expression);
    int at = 0;
    while (at < expression.length() && m.find(at) && m.start() == at) {
      if (m.group(6) != null) {
        throw new IllegalArgumentException("unexpected character '" + m.group(6) + "'");
      }
      tokens.add(m.group().strip());
      at = m.end();
      if (expression.substring(at).isBlank()) {
        break;
      }
    }
  }

  /** The problem with {@code expression}, or empty when it parses and names only known selectors. */
  public static Optional<String> problem(String expression, JsonNode selectorRoots) {
    try {
      BexprFilter f = new BexprFilter(expression, selectorRoots);
      if (f.tokens.isEmpty()) {
        return Optional.of("empty expression");
      }
      f.or();
      if (f.pos != f.tokens.size()) {
        return Optional.of("unexpected '" + f.tokens.get(f.pos) + "'");
      }
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  private void or() {
    and();
    while (accept("or")) {
      and();
    }
  }

  private void and() {
    not();
    while (accept("and")) {
      not();
    }
  }

  private void not() {
    if (accept("not")) {
      not();
    } else if (accept("(")) {
      or();
      expect(")");
    } else {
      match();
    }
  }

  private void match() {
    String first = next("a selector or a value");
    if (isValue(first)) {
      accept("not");
      expect("in");
      selector(next("a selector after 'in'"));
      return;
    }
    selector(first);
    String op = next("an operator after " + first);
    switch (op) {
      case "==", "!=", "contains", "matches" -> value(next("a value after " + op));
      case "is" -> {
        accept("not");
        expect("empty");
      }
      case "not" -> {
        String negated = next("contains or matches after 'not'");
        if (!negated.equals("contains") && !negated.equals("matches")) {
          throw new IllegalArgumentException("'not " + negated + "' is not an operator");
        }
        value(next("a value after not " + negated));
      }
      default -> throw new IllegalArgumentException("'" + op + "' is not a matching operator");
    }
  }

  private void selector(String s) {
    if (isValue(s) || s.equals("(") || s.equals(")")) {
      throw new IllegalArgumentException("expected a selector, found " + s);
    }
    String[] parts = s.split("\\.");
    JsonNode fields = roots.path(parts[0]);
    if (!fields.isArray()) {
      throw new IllegalArgumentException("selector " + s + " does not start with Node, Service or Checks");
    }
    if (parts.length > 1) {
      boolean known = false;
      for (JsonNode f : fields) {
        known |= f.asText().equals(parts[1]);
      }
      if (!known) {
        throw new IllegalArgumentException("selector " + s + ": " + parts[0] + " has no field " + parts[1]);
      }
    }
  }

  private void value(String v) {
    if (!isValue(v)) {
      throw new IllegalArgumentException("expected a quoted value, found " + v);
    }
  }

  private static boolean isValue(String token) {
    return token.startsWith("\"") || token.startsWith("`") || token.matches("-?[0-9]+(\\.[0-9]+)?|true|false");
  }

  private boolean accept(String token) {
    if (pos < tokens.size() && tokens.get(pos).equals(token)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(String token) {
    if (!accept(token)) {
      throw new IllegalArgumentException("expected '" + token + "'" + (pos < tokens.size()
          ? " but found '" + tokens.get(pos) + "'" : " at the end"));
    }
  }

  private String next(String what) {
    if (pos >= tokens.size()) {
      throw new IllegalArgumentException("expected " + what + " at the end");
    }
    return tokens.get(pos++);
  }
}
