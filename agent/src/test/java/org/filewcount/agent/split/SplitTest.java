package org.filewcount.agent.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SplitTest {

  @Test
  void parsesCommaListsAndRepeatedFlagsAlike() {
    assertThat(Split.parse(List.of("1.0=75,2.0=25"))).isEqualTo(Split.parse(List.of("1.0=75", " 2.0 = 25 ")));
  }

  @Test
  void decimalsAreExactNotFloats() {
    Split s = Split.parse(List.of("a=33.33,b=33.33,c=33.34"));
    assertThat(s.describe()).isEqualTo("a=33.33, b=33.33, c=33.34");
    assertThat(Split.parse(List.of("1.0=75.50,2.0=24.5")).weight("1.0")).isEqualByComparingTo("75.5");
    assertThatThrownBy(() -> Split.parse(List.of("a=33.333,b=66.667"))).isInstanceOf(SplitRefusedException.class)
        .hasMessageContaining("more than two decimals").hasMessageContaining("33.33");
  }

  @Test
  void stableIsTheHeaviestAndCanaryLeavesOutZeroWeights() {
    assertThat(Split.canary("1.0", "2.0", BigDecimal.valueOf(10)).describe()).isEqualTo("1.0=90, 2.0=10");
    assertThat(Split.canary("1.0", "2.0", BigDecimal.valueOf(10)).stable()).isEqualTo("1.0");
    assertThat(Split.canary("1.0", "2.0", BigDecimal.valueOf(100)).describe()).isEqualTo("2.0=100");
    assertThat(Split.parse(List.of("1.0=50,2.0=50")).stable()).isEqualTo("1.0");
  }

  @Test
  void subsetNamesAreDnsLabelsAndOnlyExactFiltersAreOwned() {
    assertThat(Subsets.name("2.0")).isEqualTo("v2-0");
    assertThat(Subsets.name("v2")).isEqualTo("v2");
    assertThat(Subsets.name("2.1.0-RC1")).isEqualTo("v2-1-0-rc1");
    assertThat(Subsets.name("canary")).isEqualTo("canary");
    assertThat(Subsets.name("x".repeat(80))).hasSize(63);
    assertThat(Subsets.filter("2.0")).isEqualTo("Service.Meta.version == \"2.0\"");
    assertThat(Subsets.versionOf("Service.Meta.version == \"2.0\"")).contains("2.0");
    assertThat(Subsets.versionOf("Service.Meta.version == 2.0")).isEmpty();
    assertThat(Subsets.versionOf("Service.Tags contains \"v2\"")).isEmpty();
    assertThatThrownBy(() -> Subsets.filter("2\"0")).isInstanceOf(SplitRefusedException.class);
  }

  @Test
  void versionsResolveByMetaOrTagForm() {
    TrafficState state = new TrafficState("filewcount", Optional.empty(), Optional.empty(),
        Map.of("2.0", new VersionInstances("2.0", 1, 1), "1.0", new VersionInstances("1.0", 2, 2)));
    assertThat(state.resolveVersion("2.0")).contains("2.0");
    assertThat(state.resolveVersion("v2.0")).contains("2.0");
    assertThat(state.resolveVersion("v2")).isEmpty();
    assertThat(state.stableExcluding("2.0")).contains("1.0");
    assertThatThrownBy(() -> state.validate(Split.parse(List.of("2.0=50,v2.0=50")), false))
        .hasMessageContaining("are the same version");
  }
}
