package org.filewcount.agent.config;

import java.util.Objects;

/**
 * An ACL token. It has no {@code toString} that reveals it, so a token that reaches a log line,
 * an exception message or {@code status} output by accident prints as {@code <redacted>}.
 */
public final class Secret {

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("a secret must not be blank");
    }
    return new Secret(value.strip());
  }

  /** The only way to read the token: call sites are few and greppable. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "<redacted>";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
