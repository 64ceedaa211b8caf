package org.filewcount.agent.split;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One config entry as it is (or would be, for --dry-run) written to {@code PUT /v1/config}, in write order. */
public record EntryWrite(String kind, String name, ObjectNode entry) {}
