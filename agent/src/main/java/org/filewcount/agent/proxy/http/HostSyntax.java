package org.filewcount.agent.proxy.http;

/**
 * RFC 3986 host with an optional port: a reg-name (unreserved, sub-delims, pct-encoded) or an IP
 * literal in brackets, then {@code :} and up to five digits. A scan of the characters, not a regular
 * expression: it runs once per request on the hot path.
 */
final class HostSyntax {

  private HostSyntax() {}

  static boolean valid(String host) {
    int n = host.length();
    int i = 0;
    if (n > 0 && host.charAt(0) == '[') {
      i = 1;
      while (i < n && ipLiteralChar(host.charAt(i))) {
        i++;
      }
      if (i == 1 || i >= n || host.charAt(i) != ']') {
        return false;
      }
      i++;
    } else {
      while (i < n && regNameChar(host.charAt(i))) {
        i++;
      }
      if (i == 0) {
        return false;
      }
    }
    if (i == n) {
      return true;
    }
    if (host.charAt(i) != ':' || n - i - 1 > 5) {
      return false;
    }
    for (i++; i < n; i++) {
      char c = host.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean regNameChar(char c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
      return true;
    }
    switch (c) {
      case '.': case '_': case '~': case '!': case '$': case '&': case '\'': case '(': case ')':
      case '*': case '+': case ',': case ';': case '=': case '%': case '-':
        return true;
      default:
        return false;
    }
  }

  private static boolean ipLiteralChar(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.';
  }
}
