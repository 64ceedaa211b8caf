package org.filewcount.agent.split;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an app version maps to a service-resolver subset. Consul requires subset names to be DNS labels
 * (lower-case letters, digits and inner dashes, at most 63 characters), while versions are written like
 * {@code 2.0}; so the subset of version {@code 2.0} is named {@code v2-0} and selects its instances with
 * the filter {@code Service.Meta.version == "2.0"}. The filter, not the name, is the source of truth: a
 * subset whose filter has this exact form is one the agent owns; any other subset is left alone.
 */
final class Subsets {

  private static final Pattern OWNED_FILTER =
      Pattern.compile("^\\s*Service\\.Meta\\.version\\s*==\\s*\"([^\"\\\\]*)\"\\s*$");

  private Subsets() {}

  public static String name(String version) {
    String s = version.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
      s = "v" + s;
    }
    if (s.length() > 63) {
      s = s.substring(0, 63).replaceAll("-+$", "");
    }
    return s;
  }

  public static String filter(String version) {
    if (version.contains("\"") || version.contains("\\")) {
      throw new SplitRefusedException("version '" + version + "' contains a quote or backslash, which cannot be used in a"
          + " Consul filter expression: use plain version names such as 2.0");
    }
    return "Service.Meta.version == \"" + version + "\"";
  }

  /** The version an agent-owned subset selects, or empty for a subset someone else wrote. */
  public static Optional<String> versionOf(String filter) {
    if (filter == null) {
      return Optional.empty();
    }
    Matcher m = OWNED_FILTER.matcher(filter);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
