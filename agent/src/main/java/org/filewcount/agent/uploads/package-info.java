/**
 * Carrying an instance's uploads across Nomad upgrades (ADR 0017): at start inside Nomad the agent copies
 * into its own upload folder every file that an allocation of the same name (the same instance index)
 * holds and it does not, through Nomad's client filesystem API, never overwriting or removing a file.
 * {@code UploadsCarry} is the entry; {@code NomadSettings} reads the {@code NOMAD_*} variables it is
 * configured by, {@code NomadAllocFs} makes the read-only calls (over {@code UnixSocketHttp} for the Task API
 * socket) and {@code CarryPass} copies one allocation's files.
 *
 * <p>May not: change, remove or hide a file already in the upload folder, make a Nomad call that writes
 * (its calls are read-only), or know about telemetry (it reports through {@code UploadsCarry.Listener}).
 * Depends only on {@code config}, {@code net} and {@code probe}.
 */
package org.filewcount.agent.uploads;
