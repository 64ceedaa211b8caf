package org.filewcount.agent.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.filewcount.agent.testing.HashiCorpFacts;

/**
 * Nomad 1.10.5's jobspec as data (src/test/resources/hashicorp/nomad-1.10.5-jobspec.json, derived from the struct
 * tags of hashicorp/nomad's api package and its jobspec2 parser at v1.10.5; the file's {@code _source} says how),
 * and a walk of a job file's hcl2json tree against it. It reports every attribute or block that Nomad's parser
 * would refuse: unknown or misspelt names, names in the wrong block, a block written as an attribute or the
 * other way round, a missing or extra label. Free-form blocks (a task's {@code config}, {@code env}, {@code meta})
 * are left to the driver, as Nomad does.
 */
final class NomadJobspecSchema {

    static final String RESOURCE = "nomad-1.10.5-jobspec.json";

    private final JsonNode schema;

    private NomadJobspecSchema(JsonNode schema) {
        this.schema = schema;
    }

    static NomadJobspecSchema load() {
        return new NomadJobspecSchema(HashiCorpFacts.load(RESOURCE));
    }

    /** Every problem in one parsed job file, each naming where it is and what Nomad allows there. */
    List<String> check(String file, JsonNode parsed) {
        List<String> problems = new ArrayList<>();
        JsonNode fileBlocks = schema.path("file_blocks");
        for (Map.Entry<String, JsonNode> e : fields(parsed)) {
            JsonNode spec = fileBlocks.path(e.getKey());
            if (spec.isMissingNode()) {
                problems.add(file + ": unknown top-level block '" + e.getKey() + "'; a job file holds "
                        + names(fileBlocks));
            } else if (!spec.path("opaque").asBoolean()) {
                checkBlock(file + ": " + e.getKey(), e.getKey(), e.getValue(), spec, problems);
            }
        }
        return problems;
    }

    private void checkBody(String where, JsonNode body, String type, List<String> problems) {
        JsonNode t = schema.path("types").path(type);
        for (Map.Entry<String, JsonNode> e : fields(body)) {
            String name = e.getKey();
            JsonNode value = e.getValue();
            String at = where + "." + name;
            JsonNode block = t.path("blocks").path(name);
            if (name.equals("dynamic")) {
                checkDynamic(at, value, t, type, problems);
            } else if (contains(t.path("attributes"), name)) {
                if (isBlocks(value)) {
                    problems.add(at + ": '" + name + "' is an attribute of " + type + " (write " + name + " = ...),"
                            + " not a block");
                }
            } else if (!block.isMissingNode()) {
                if (block.path("opaque").asBoolean()) {
                    boolean attributeForm = value.isObject();
                    if (attributeForm && !contains(schema.path("attribute_or_block").path(type), name)) {
                        problems.add(at + ": '" + name + "' is a block in " + type + " (write " + name + " { ... })");
                    }
                } else {
                    checkBlock(at, name, value, block, problems);
                }
            } else {
                problems.add(at + ": " + type + " has no attribute or block '" + name + "' in Nomad 1.10.5; it takes "
                        + names(t));
            }
        }
    }

    private void checkBlock(String at, String name, JsonNode value, JsonNode spec, List<String> problems) {
        String type = spec.path("type").asText();
        int labels = spec.path("labels").asInt();
        if (labels == 0) {
            if (!isBlocks(value)) {
                problems.add(at + ": '" + name + "' is a block (write " + name + " { ... }), without a label");
                return;
            }
            value.forEach(b -> checkBody(at, b, type, problems));
            return;
        }
        if (!value.isObject() || !fields(value).stream().allMatch(e -> isBlocks(e.getValue()))) {
            problems.add(at + ": '" + name + "' is a block with a label (write " + name + " \"label\" { ... })");
            return;
        }
        for (Map.Entry<String, JsonNode> labelled : fields(value)) {
            labelled.getValue().forEach(b -> checkBody(at + "[" + labelled.getKey() + "]", b, type, problems));
        }
    }

    /** {@code dynamic "x" { for_each, iterator, labels, content { ... } }}: x must be a block of the enclosing type. */
    private void checkDynamic(String at, JsonNode value, JsonNode t, String type, List<String> problems) {
        for (Map.Entry<String, JsonNode> e : fields(value)) {
            JsonNode block = t.path("blocks").path(e.getKey());
            if (block.isMissingNode()) {
                problems.add(at + "[" + e.getKey() + "]: " + type + " has no block '" + e.getKey() + "' to generate");
                continue;
            }
            for (JsonNode dyn : e.getValue()) {
                for (Map.Entry<String, JsonNode> part : fields(dyn)) {
                    if (part.getKey().equals("content")) {
                        if (!block.path("opaque").asBoolean()) {
                            part.getValue().forEach(c -> checkBody(at + "[" + e.getKey() + "]", c,
                                    block.path("type").asText(), problems));
                        }
                    } else if (!List.of("for_each", "iterator", "labels").contains(part.getKey())) {
                        problems.add(at + "[" + e.getKey() + "]: a dynamic block takes for_each, iterator, labels"
                                + " and content, not '" + part.getKey() + "'");
                    }
                }
            }
        }
    }

    /** hcl2json writes every block as an array of objects. */
    private static boolean isBlocks(JsonNode value) {
        if (!value.isArray() || value.isEmpty()) {
            return false;
        }
        for (JsonNode n : value) {
            if (!n.isObject()) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(JsonNode array, String name) {
        for (JsonNode n : array) {
            if (n.asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static String names(JsonNode t) {
        TreeSet<String> all = new TreeSet<>();
        if (t.has("types") || !t.has("attributes")) {
            t.fieldNames().forEachRemaining(all::add);
        } else {
            t.path("attributes").forEach(a -> all.add(a.asText()));
            t.path("blocks").fieldNames().forEachRemaining(b -> all.add(b + " {}"));
        }
        return String.join(", ", all);
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        node.fields().forEachRemaining(out::add);
        return out;
    }
}
