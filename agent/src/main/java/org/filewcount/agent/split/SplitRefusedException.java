package org.filewcount.agent.split;

/**
 * A split that cannot be written as asked: bad weights, an unknown service or version, a version with no passing instance (without force), or a version name the config entries cannot hold. Nothing was written. The CLI answers it with exit code 2 and this message, which names the problem and the fix.
 */
public class SplitRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SplitRefusedException(String message) {
    super(message);
  }
}
