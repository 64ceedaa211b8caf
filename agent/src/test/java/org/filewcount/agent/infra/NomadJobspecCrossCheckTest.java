package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * Every Nomad job file (nomad/*.nomad.hcl, whatever jobs exist) against Nomad 1.10.5's jobspec, as derived from
 * hashicorp/nomad's api struct tags and jobspec2 parser at v1.10.5 (see NomadJobspecSchema). The files are parsed
 * once per test JVM, shared with the other HCL tests.
 */
class NomadJobspecCrossCheckTest {

    private static final NomadJobspecSchema SCHEMA = NomadJobspecSchema.load();

    private static Map<String, JsonNode> jobFiles() throws Exception {
        List<Path> jobs = RepoFiles.filesEndingWith(".nomad.hcl");
        Map<String, JsonNode> all = Hcl2Json.parseAll(RepoFiles.filesEndingWith(".hcl"));
        assertThat(jobs).as("nomad/*.nomad.hcl").isNotEmpty();
        Map<String, JsonNode> out = new TreeMap<>();
        jobs.forEach(p -> {
            String relative = RepoFiles.root().relativize(p).toString();
            out.put(relative, all.get(relative));
        });
        return out;
    }

    @Test
    void everyJobFileUsesOnlyBlocksAndAttributesNomadKnowsWhereNomadTakesThem() throws Exception {
        List<String> problems = new ArrayList<>();
        jobFiles().forEach((file, parsed) -> problems.addAll(SCHEMA.check(file, parsed)));
        assertThat(problems).isEmpty();
    }

    /** The checker on mutated copies of a real job: each kind of mistake is reported, naming where it is. */
    @Test
    void plantedMistakesInACopyOfAJobAreEachReported() throws Exception {
        String file = "nomad/filewcount.nomad.hcl";
        JsonNode good = jobFiles().get(file);
        assertThat(SCHEMA.check(file, good)).isEmpty();

        ObjectNode misspelt = good.deepCopy();
        ObjectNode group = firstGroup(misspelt);
        group.remove("count");
        group.put("countt", 1);
        assertThat(SCHEMA.check(file, misspelt)).singleElement().asString()
                .contains("TaskGroup has no attribute or block 'countt'").contains("count");

        ObjectNode misplaced = good.deepCopy();
        firstGroup(misplaced).put("auto_revert", true);
        assertThat(SCHEMA.check(file, misplaced)).singleElement().asString()
                .contains("TaskGroup has no attribute or block 'auto_revert'");

        ObjectNode inTask = good.deepCopy();
        Map.Entry<String, JsonNode> withResources = taskWithResources(inTask);
        ((ObjectNode) withResources.getValue().path("resources").get(0)).put("memroy", 128);
        assertThat(SCHEMA.check(file, inTask)).singleElement().asString()
                .contains("task[" + withResources.getKey() + "].resources.memroy:")
                .contains("Resources has no attribute or block 'memroy'").contains("memory_max");

        ObjectNode asAttribute = good.deepCopy();
        firstTask(asAttribute).set("lifecycle", asAttribute.objectNode().put("hook", "prestart"));
        assertThat(SCHEMA.check(file, asAttribute)).singleElement().asString()
                .contains("'lifecycle' is a block");

        ObjectNode unlabelled = good.deepCopy();
        JsonNode tasks = firstGroup(unlabelled).path("task");
        ArrayNode asList = unlabelled.arrayNode();
        tasks.fields().forEachRemaining(e -> asList.addAll((ArrayNode) e.getValue()));
        firstGroup(unlabelled).set("task", asList);
        assertThat(SCHEMA.check(file, unlabelled)).singleElement().asString()
                .contains("'task' is a block with a label");

        ObjectNode topLevel = good.deepCopy();
        topLevel.set("jobb", topLevel.path("job"));
        assertThat(SCHEMA.check(file, topLevel)).singleElement().asString().contains("unknown top-level block 'jobb'");
    }

    private static ObjectNode firstGroup(ObjectNode file) {
        JsonNode job = file.path("job").elements().next().get(0);
        return (ObjectNode) job.path("group").elements().next().get(0);
    }

    private static Map.Entry<String, JsonNode> taskWithResources(ObjectNode file) {
        var tasks = firstGroup(file).path("task").fields();
        while (tasks.hasNext()) {
            var task = tasks.next();
            if (task.getValue().get(0).has("resources")) {
                return Map.entry(task.getKey(), task.getValue().get(0));
            }
        }
        throw new AssertionError("no task with a resources block in the first group");
    }

    private static ObjectNode firstTask(ObjectNode file) {
        return (ObjectNode) firstGroup(file).path("task").elements().next().get(0);
    }
}
