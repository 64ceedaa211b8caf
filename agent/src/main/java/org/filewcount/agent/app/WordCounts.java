package org.filewcount.agent.app;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two numbers filewcount reports for a text, computed exactly as the app does
 * ({@code re.split(r'\W+', text)} in Python 3, then pieces - 1 and distinct pieces - 1),
 * including its off-by-one when the text does not end with a separator.
 *
 * <p>Python's Unicode {@code \w} is letters, numbers and the underscore; Java's
 * {@code UNICODE_CHARACTER_CLASS} {@code \w} also takes combining marks and other connector
 * punctuation, so the class is spelled out instead.
 */
public record WordCounts(long words, long uniqueWords) {

  private static final Pattern SEPARATOR = Pattern.compile("[^\\p{L}\\p{N}_]+");

  public static WordCounts of(CharSequence text) {
    Matcher m = SEPARATOR.matcher(text);
    Set<String> distinct = new HashSet<>();
    long pieces = 0;
    int start = 0;
    while (m.find()) {
      distinct.add(text.subSequence(start, m.start()).toString());
      pieces++;
      start = m.end();
    }
    // Python's split keeps the trailing piece even when it is empty: that is the app's quirk.
    distinct.add(text.subSequence(start, text.length()).toString());
    pieces++;
    return new WordCounts(pieces - 1, distinct.size() - 1);
  }
}
