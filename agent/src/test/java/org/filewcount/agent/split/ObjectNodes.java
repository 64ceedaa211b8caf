package org.filewcount.agent.split;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;

/** Checks on the pure merge functions, without HTTP. */
final class ObjectNodes {

  private ObjectNodes() {}

  static ObjectNode obj(String json) {
    return (ObjectNode) Json.parse(json);
  }

  /** A subset the live splitter references survives pruning even when its version has no instance left. */
  static void assertPruneKeepsReferenced() {
    ObjectNode resolver = obj("""
        {"Kind":"service-resolver","Name":"filewcount","DefaultSubset":"v2-0",
         "Subsets":{"v1-0":{"Filter":"Service.Meta.version == \\"1.0\\"","OnlyPassing":true},
                    "v2-0":{"Filter":"Service.Meta.version == \\"2.0\\"","OnlyPassing":true},
                    "old-0":{"Filter":"Service.Meta.version == \\"0.9\\"","OnlyPassing":true}}}""");
    ObjectNode splitter = obj("""
        {"Kind":"service-splitter","Name":"filewcount",
         "Splits":[{"Weight":10,"ServiceSubset":"v1-0"},{"Weight":90,"ServiceSubset":"v2-0"}]}""");

    Optional<ObjectNode> pruned = SplitEntries.resolverPruned("filewcount", Optional.of(resolver),
        Optional.of(splitter), Optional.empty(), Set.of("2.0"));

    assertThat(pruned).isPresent();
    assertThat(pruned.get().path("Subsets").has("v1-0")).as("referenced by the splitter").isTrue();
    assertThat(pruned.get().path("Subsets").has("old-0")).as("unused, no instances").isFalse();
  }
}
