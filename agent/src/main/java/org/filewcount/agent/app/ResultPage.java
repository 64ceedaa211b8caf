package org.filewcount.agent.app;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the result banner of a filewcount upload page. The banner comes before the list of stored
 * files, so a bounded prefix of the page is enough; callers never need the whole body.
 */
public final class ResultPage {

  /** Enough to reach the banner in the app's template with room to spare; the file list follows it. */
  public static final int BANNER_PREFIX_BYTES = 16 * 1024;

  public static final String MISSING_FILE = "Missing File";
  public static final String NOT_TEXT = "Problem parsing uploaded file. Is it TEXT?";

  private static final Pattern COUNTED =
      Pattern.compile("File Received\\. Thanks! Word Count:(\\d+), Uniq-Word Count:(\\d+)");
  private static final Pattern EMPTY =
      Pattern.compile("File Received\\.\\.\\. But it was empty\\. Word Count:(\\d+), Uniq-Word Count:(\\d+)");

  /** What the banner said. {@code counts} is present for {@link Outcome#SUCCESS} and {@link Outcome#EMPTY}. */
  public record Banner(Outcome outcome, Optional<WordCounts> counts, Optional<String> error) {}

  private ResultPage() {}

  /** Empty when the text holds no banner at all (not an upload result page, or cut before it). */
  public static Optional<Banner> parse(CharSequence html) {
    Matcher m = COUNTED.matcher(html);
    if (m.find()) {
      return Optional.of(new Banner(Outcome.SUCCESS, Optional.of(counts(m)), Optional.empty()));
    }
    m = EMPTY.matcher(html);
    if (m.find()) {
      return Optional.of(new Banner(Outcome.EMPTY, Optional.of(counts(m)), Optional.empty()));
    }
    String text = html.toString();
    if (text.contains(NOT_TEXT)) {
      return Optional.of(new Banner(Outcome.APP_ERROR, Optional.empty(), Optional.of(NOT_TEXT)));
    }
    if (text.contains(MISSING_FILE)) {
      return Optional.of(new Banner(Outcome.APP_ERROR, Optional.empty(), Optional.of(MISSING_FILE)));
    }
    return Optional.empty();
  }

  private static WordCounts counts(Matcher m) {
    return new WordCounts(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }
}
