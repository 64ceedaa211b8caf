package org.filewcount.agent.split;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.filewcount.agent.testing.ConsulEntryRules;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * The entries {@code shift} and {@code rollout} write (service-defaults, the resolver's subsets, the splitter),
 * through a whole canary from the committed consul/service-resolver.json, pass the rules Consul 1.22 applies to a
 * write (ConsulEntryRules, facts cited in its resource).
 */
class ConsulEntriesWrittenAtRuntimeCrossCheckTest {

  private static final ConsulEntryRules RULES = ConsulEntryRules.load();
  private static final String SERVICE = "filewcount";

  private Optional<ObjectNode> defaults = Optional.empty();
  private Optional<ObjectNode> resolver;
  private Optional<ObjectNode> splitter = Optional.empty();
  private Optional<ObjectNode> router = Optional.empty();

  @Test
  void everyEntryOfACanaryRolloutPassesConsulsChecks() throws Exception {
    resolver = Optional.of((ObjectNode) Json.MAPPER.readTree(RepoFiles.read("consul/service-resolver.json")));
    List<String> problems = new ArrayList<>();
    for (Split split : List.of(Split.all("1.0"), Split.canary("1.0", "2.0", BigDecimal.valueOf(10)),
        Split.canary("1.0", "2.0", new BigDecimal("33.33")), Split.all("2.0"))) {
      step(split, Set.of("1.0", "2.0"));
      problems.addAll(RULES.check(current()).stream().map(p -> split.describe() + ": " + p).toList());
    }
    step(Split.all("2.0"), Set.of("2.0"));
    problems.addAll(RULES.check(current()));
    assertThat(problems).isEmpty();
    assertThat(resolver.orElseThrow().path("Subsets").fieldNames()).toIterable().containsExactly("v2-0");
  }

  @Test
  void aPlantedMistakeInWhatTheAgentWritesIsReported() throws Exception {
    resolver = Optional.of((ObjectNode) Json.MAPPER.readTree(RepoFiles.read("consul/service-resolver.json")));
    step(Split.canary("1.0", "2.0", BigDecimal.valueOf(10)), Set.of("1.0", "2.0"));
    assertThat(RULES.check(current())).isEmpty();

    ObjectNode badWeights = splitter.orElseThrow().deepCopy();
    ((ObjectNode) badWeights.path("Splits").get(0)).put("Weight", 80);
    assertThat(RULES.check(List.of(defaults.orElseThrow(), resolver.orElseThrow(), badWeights)))
        .anyMatch(p -> p.contains("the sum of all split weights must be 100, not 90"));

    ObjectNode badFilter = resolver.orElseThrow().deepCopy();
    ((ObjectNode) badFilter.path("Subsets").path("v2-0")).put("Filter", "Service.Meta.version == 2.0\"");
    assertThat(RULES.check(List.of(defaults.orElseThrow(), badFilter, splitter.orElseThrow())))
        .anyMatch(p -> p.contains("Filter for subset 'v2-0' is not a valid expression"));

    ObjectNode tcp = defaults.orElseThrow().deepCopy().put("Protocol", "tcp");
    assertThat(RULES.check(List.of(tcp, resolver.orElseThrow(), splitter.orElseThrow())))
        .anyMatch(p -> p.contains("does not permit advanced routing or splitting behavior"));
  }

  /** One shift, in the order ConsulTrafficControl applies its changes. */
  private void step(Split split, Set<String> instanceVersions) {
    Set<String> wanted = new LinkedHashSet<>(instanceVersions);
    wanted.addAll(split.versions());
    defaults = or(SplitEntries.serviceDefaults(SERVICE, defaults), defaults);
    resolver = or(SplitEntries.resolverWithSubsets(SERVICE, resolver, wanted, split.stable()), resolver);
    router = or(VersionStickiness.router(SERVICE, router, split), router);
    splitter = or(SplitEntries.splitter(SERVICE, splitter, split), splitter);
    resolver = or(SplitEntries.resolverPruned(SERVICE, resolver, splitter, router, instanceVersions), resolver);
  }

  private List<JsonNode> current() {
    List<JsonNode> out = new ArrayList<>();
    defaults.ifPresent(out::add);
    resolver.ifPresent(out::add);
    splitter.ifPresent(out::add);
    router.ifPresent(out::add);
    return out;
  }

  private static Optional<ObjectNode> or(Optional<ObjectNode> next, Optional<ObjectNode> current) {
    return next.isPresent() ? next : current;
  }
}
