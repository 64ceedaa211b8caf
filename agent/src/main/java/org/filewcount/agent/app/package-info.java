/**
 * What the agent knows about filewcount itself, as plain values: {@code Outcome} (what really happened to
 * a request, since failed uploads come back as 200 pages), {@code ResultPage} (reading the result banner
 * from a bounded prefix of an upload page) and {@code WordCounts} (the two counts, computed exactly as the
 * app does, its off-by-one included). The probe and telemetry both judge pages with these, so they agree.
 *
 * <p>May not: do I/O or depend on any other agent package.
 */
package org.filewcount.agent.app;
