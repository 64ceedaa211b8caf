package org.filewcount.agent.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Navigation in hcl2json's shape of a Nomad job: blocks are arrays, labels are object keys. */
final class NomadJobs {

    private NomadJobs() {
    }

    /** The single block {@code name} inside {@code parent} (hcl2json wraps every block in an array). */
    static JsonNode block(JsonNode parent, String name) {
        JsonNode node = parent.path(name);
        if (node.isArray()) {
            if (node.size() != 1) {
                throw new AssertionError("expected exactly one '" + name + "' block, found " + node.size());
            }
            return node.get(0);
        }
        if (node.isMissingNode()) {
            throw new AssertionError("missing '" + name + "' block in " + abbreviate(parent));
        }
        return node;
    }

    /** The labelled block {@code type "label" {}}. */
    static JsonNode labelled(JsonNode parent, String type, String label) {
        JsonNode byLabel = parent.path(type).path(label);
        if (!byLabel.isArray() || byLabel.size() != 1) {
            throw new AssertionError("missing " + type + " \"" + label + "\" block");
        }
        return byLabel.get(0);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The variable's default, or a missing node when it has none. */
    static JsonNode variableDefault(JsonNode file, String name) {
        return labelled(file, "variable", name).path("default");
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
