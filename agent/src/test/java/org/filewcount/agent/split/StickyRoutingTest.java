package org.filewcount.agent.split;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.filewcount.agent.infra.ConsulEntryFiles;
import org.filewcount.agent.split.EnvoyRoutingModel.Browser;
import org.filewcount.agent.split.EnvoyRoutingModel.Instance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 2, against the Envoy model: the entries are consul/service-resolver.json and
 * consul/service-router.hcl as scripts/up writes them, changed by the traffic code's own merges for
 * each split (what {@code shift} and {@code rollout} write).
 */
class StickyRoutingTest {

  private static final List<Instance> STABLE = List.of(
      new Instance("10.0.0.1:20001", "1.0", true),
      new Instance("10.0.0.2:20002", "1.0", true),
      new Instance("10.0.0.3:20003", "1.0", true),
      new Instance("10.0.0.4:20004", "1.0", false));
  private static final Instance CANARY = new Instance("10.0.0.5:20005", "2.0", true);

  private static ObjectNode staticResolver;
  private static ObjectNode staticRouter;

  @BeforeAll
  static void readStaticEntries() throws Exception {
    staticResolver = ConsulEntryFiles.read("consul/service-resolver.json");
    staticRouter = ConsulEntryFiles.read("consul/service-router.hcl"); // HashiCorp's HCL parser: read once
  }

  /** The entries after {@code shift} wrote {@code split}, starting from the static files. */
  private static EnvoyRoutingModel envoy(Split split, List<Instance> instances, long seed) {
    ObjectNode resolver = staticResolver.deepCopy();
    ObjectNode router = staticRouter.deepCopy();
    Set<String> versions = instances.stream().map(Instance::version).collect(Collectors.toSet());
    resolver = SplitEntries.resolverWithSubsets("filewcount", Optional.of(resolver), versions, split.stable())
        .orElse(resolver);
    router = VersionStickiness.router("filewcount", Optional.of(router), split).orElse(router);
    ObjectNode splitter = SplitEntries.splitter("filewcount", Optional.empty(), split).orElseThrow();
    return new EnvoyRoutingModel(router, Optional.of(splitter), resolver, instances, seed);
  }

  @Test
  void hundredRequestsWithOneCookieReachOneInstance() throws Exception {
    EnvoyRoutingModel envoy = envoy(Split.all("1.0"), STABLE, 1);
    Browser browser = new Browser("192.168.1.10:51000");

    browser.get(envoy, "/");
    assertThat(browser.cookies).as("Envoy set the hash cookie on the first answer").containsKey("filewcount-instance");
    for (int i = 0; i < 100; i++) {
      browser.get(envoy, i % 2 == 0 ? "/file_upload" : "/");
    }

    assertThat(Set.copyOf(browser.visited)).hasSize(1);
    assertThat(browser.cookies).as("one version only: no version cookie").doesNotContainKey("filewcount-version");
  }

  @Test
  void hundredRequestsWithoutCookiesSpreadOverEveryPassingInstance() throws Exception {
    EnvoyRoutingModel envoy = envoy(Split.all("1.0"), STABLE, 2);
    Map<Instance, Integer> hits = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      // curl: no cookie jar, a new connection (source port) each time.
      EnvoyRoutingModel.Routed r = envoy.route("/", Map.of(), "192.168.1.10:" + (40000 + i));
      hits.merge(r.instance(), 1, Integer::sum);
    }

    assertThat(hits.keySet()).containsExactlyInAnyOrderElementsOf(STABLE.stream().filter(Instance::passing).toList());
    assertThat(hits.values()).allSatisfy(n -> assertThat(n).as("no instance starved: %s", hits).isGreaterThan(10));
  }

  @Test
  void aBrowserWhoseInstanceFailsMovesToAnotherAndStaysThere() throws Exception {
    Browser browser = new Browser("192.168.1.11:51000");
    browser.get(envoy(Split.all("1.0"), STABLE, 3), "/");
    Instance first = browser.visited.get(0);
    List<Instance> oneDown = STABLE.stream()
        .map(i -> i.equals(first) ? new Instance(i.address(), i.version(), false) : i).toList();

    EnvoyRoutingModel after = envoy(Split.all("1.0"), oneDown, 3);
    for (int i = 0; i < 50; i++) {
      browser.get(after, "/");
    }

    List<Instance> afterwards = browser.visited.subList(1, browser.visited.size());
    assertThat(Set.copyOf(afterwards)).hasSize(1).doesNotContain(first);
  }

  @Test
  void duringAFiftyFiftySplitOneBrowserStaysOnOneVersionAndBrowsersGetBoth() throws Exception {
    List<Instance> all = new java.util.ArrayList<>(STABLE);
    all.add(CANARY);
    EnvoyRoutingModel envoy = envoy(Split.parse(List.of("1.0=50", "2.0=50")), all, 4);
    Map<String, Integer> browsersPerVersion = new HashMap<>();
    for (int b = 0; b < 40; b++) {
      Browser browser = new Browser("192.168.2." + b + ":52000");
      for (int i = 0; i < 100; i++) {
        browser.get(envoy, "/file_upload");
      }
      Set<String> versions = browser.visited.stream().map(Instance::version).collect(Collectors.toSet());
      assertThat(versions).as("browser %d", b).hasSize(1);
      assertThat(Set.copyOf(browser.visited)).as("browser %d stays on one instance too", b).hasSize(1);
      browsersPerVersion.merge(versions.iterator().next(), 1, Integer::sum);
    }
    assertThat(browsersPerVersion).as("the split still splits browsers").containsOnlyKeys("1.0", "2.0");
    assertThat(browsersPerVersion.values()).allSatisfy(n -> assertThat(n).isGreaterThan(8));
  }

  @Test
  void whenTheRolloutEndsAStaleVersionCookieFallsBackToTheSplitAndNothingIsPinnedAnyMore() throws Exception {
    List<Instance> all = new java.util.ArrayList<>(STABLE);
    all.add(CANARY);
    Browser onCanary = null;
    EnvoyRoutingModel during = envoy(Split.parse(List.of("1.0=50", "2.0=50")), all, 5);
    for (int b = 0; onCanary == null; b++) {
      Browser candidate = new Browser("192.168.3." + b + ":53000");
      if (candidate.get(during, "/").version().equals("2.0")) {
        onCanary = candidate;
      }
    }
    assertThat(onCanary.cookies).containsEntry("filewcount-version", "v2-0");

    // Rolled back: 1.0 at 100 %. The route for v2-0 is gone, the browser's cookie matches nothing.
    EnvoyRoutingModel rolledBack = envoy(Split.all("1.0"), all, 5);
    for (int i = 0; i < 20; i++) {
      assertThat(onCanary.get(rolledBack, "/").version()).isEqualTo("1.0");
    }
  }
}
