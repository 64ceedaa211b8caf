package org.filewcount.agent.nomad;

/**
 * Nomad settings a rollout cannot work with: a bad NOMAD_ADDR or NOMAD_CACERT, or a job Nomad does not
 * know (check --nomad-job). The CLI answers it with exit code 2 and this message, which names the fix.
 */
public class NomadSettingsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NomadSettingsException(String message) {
    super(message);
  }
}
