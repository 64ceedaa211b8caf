/**
 * Carrying an instance's uploads across Nomad upgrades (ADR 0017): at start inside Nomad the agent copies
 * into its own upload folder every file that an allocation of the same name (the same instance index)
 * holds and it does not, through Nomad's client filesystem API, never overwriting or removing a file.
 *
 * <p>May not: change, remove or hide a file already in the upload folder, make a Nomad call that writes
 * (its calls are read-only), or know about telemetry (it reports through {@code UploadsCarry.Listener}).
 * Depends only on {@code config}, {@code net} and {@code probe}.
 */
package org.filewcount.agent.uploads;
