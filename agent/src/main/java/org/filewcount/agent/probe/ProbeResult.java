package org.filewcount.agent.probe;

import java.time.Duration;
import java.time.Instant;

/**
 * One functional probe: a real upload of a fixed text, judged on the two counts in the page.
 *
 * @param detail why it failed (status, banner error, wrong counts, connection error), or "ok"
 */
public record ProbeResult(boolean passed, Duration duration, String detail, Instant at) {}
