/**
 * Carrying an instance's uploads across Nomad upgrades (ADR 0017): at start inside Nomad the agent copies
 * into its own upload folder every file that an allocation of the same name (the same instance index)
 * holds and it does not, through Nomad's client filesystem API, never overwriting or removing a file.
 */
package org.filewcount.agent.uploads;
