package org.filewcount.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WordCountsTest {

  /** The contract's own examples plus Unicode cases where Java's \w and Python's differ. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "'hello world\n'|2|2",
      "'hello world'|1|1",
      "'a a a\n'|3|1",
      "' x\n'|2|1",
      "''|0|0",
      "'\n'|1|0",
      "'snake_case word\n'|2|2",
      "'naïve café, naïve\n'|3|2",
      "'日本語 テキスト\n'|2|2",
      "'e\u0301t\u00e9\n'|2|2",
  })
  void countsLikePythonsReSplit(String text, long words, long unique) {
    assertThat(WordCounts.of(text)).isEqualTo(new WordCounts(words, unique));
  }
}
