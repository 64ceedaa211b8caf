/**
 * Nomad's deployment API for {@code rollout --nomad}: {@code NomadClient}, the adapter behind
 * {@code rollout.NomadDeployments} (the latest deployment of a job, promote, fail), configured like the
 * {@code nomad} CLI from NOMAD_ADDR, NOMAD_TOKEN (or NOMAD_TOKEN_FILE), NOMAD_CACERT, NOMAD_NAMESPACE and
 * NOMAD_REGION. Two exceptions: {@code NomadSettingsException}, settings a rollout cannot work with (a bad
 * address or CA file, a job Nomad does not know), which {@code cli.Main} answers with exit 2; and
 * {@code NomadException} (package-private: nothing outside catches it), Nomad unreachable or refusing a call,
 * which reaches {@code cli.Main} as a runtime failure (exit 1) with its message.
 *
 * <p>May not: be imported by the rollout engine (it sees only {@code NomadDeployments}; the CLI picks this
 * adapter), put the token anywhere but the {@code X-Nomad-Token} header, or build its HTTP client other than
 * through {@code net.HttpClients}. The uploads carry's read-only calls to Nomad's client filesystem API are
 * {@code uploads.NomadAllocFs}, not here.
 */
package org.filewcount.agent.nomad;
