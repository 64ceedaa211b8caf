package org.filewcount.agent.app;

import java.util.Locale;

/**
 * What really happened to a request, which the status code alone does not tell for filewcount:
 * failed uploads come back as 200 pages.
 */
public enum Outcome {
  /** 2xx and, for an upload, the app counted the words. */
  SUCCESS,
  /** An upload of an empty file: stored and counted as zero, not an error. */
  EMPTY,
  /** A 200 page carrying "Missing File" or "Problem parsing uploaded file. Is it TEXT?". */
  APP_ERROR,
  /** The client's fault: any 4xx (400 without the file part, 413 over 10 MiB, 404). */
  REJECTED,
  /** The app's or the network's fault: 5xx, connection refused, timeouts. */
  UPSTREAM_ERROR;

  /** The attribute value, as written in metrics, spans and PromQL. */
  public String attributeValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
