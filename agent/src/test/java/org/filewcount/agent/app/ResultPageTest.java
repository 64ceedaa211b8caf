package org.filewcount.agent.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResultPageTest {

  @Test
  void readsCounts() {
    ResultPage.Banner b = ResultPage.parse("<p>File Received. Thanks! Word Count:12, Uniq-Word Count:7</p>").orElseThrow();
    assertThat(b.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(b.counts()).contains(new WordCounts(12, 7));
  }

  @Test
  void readsEmpty() {
    ResultPage.Banner b = ResultPage.parse("File Received... But it was empty. Word Count:0, Uniq-Word Count:0")
        .orElseThrow();
    assertThat(b.outcome()).isEqualTo(Outcome.EMPTY);
    assertThat(b.counts()).contains(new WordCounts(0, 0));
  }

  @Test
  void readsBothErrors() {
    assertThat(ResultPage.parse("<p>Missing File</p>").orElseThrow().error()).contains(ResultPage.MISSING_FILE);
    assertThat(ResultPage.parse("Problem parsing uploaded file. Is it TEXT?").orElseThrow().outcome())
        .isEqualTo(Outcome.APP_ERROR);
  }

  @Test
  void aPageWithoutBannerIsNotAResult() {
    assertThat(ResultPage.parse("<title>File Upload</title> File Word Counter.")).isEqualTo(Optional.empty());
  }
}
