package org.filewcount.agent.rollout;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.filewcount.agent.split.Split;

/**
 * {@code --steps} as written: canary percentages with {@code pause} gates between them, for example
 * {@code 10,pause,50,100}. A gate is kept as "after how many percentage steps" so the percentages stay
 * the plain increasing list the rollout has always judged ({@code pause,10,100} holds before any
 * traffic moves, {@code 10,100,pause} holds at 100 % before the Nomad promotion).
 *
 * @param percents the canary percentages, in order
 * @param gatesAfter for each gate, the number of percentage steps before it (0 = before the first)
 */
public record RolloutSteps(List<BigDecimal> percents, SortedSet<Integer> gatesAfter) {

  public static final String PAUSE = "pause";

  public RolloutSteps {
    percents = List.copyOf(percents);
    gatesAfter = Collections.unmodifiableSortedSet(new TreeSet<>(gatesAfter));
  }

  public static RolloutSteps parse(String text) {
    List<BigDecimal> percents = new ArrayList<>();
    SortedSet<Integer> gates = new TreeSet<>();
    for (String raw : text.split(",", -1)) {
      String s = raw.strip();
      if (s.isEmpty()) {
        continue;
      }
      if (s.equalsIgnoreCase(PAUSE)) {
        if (!gates.add(percents.size())) {
          throw new RolloutRefusedException("--steps has two pauses in a row (" + text + "): one gate waits until"
              + " 'rollout resume' already; remove the second");
        }
        continue;
      }
      if (!s.matches("-?[0-9.]+")) {
        throw new RolloutRefusedException("--steps item '" + s + "' is neither a percentage nor 'pause': write for example"
            + " 10,pause,50,100");
      }
      percents.add(Split.percent("--steps", s));
    }
    return new RolloutSteps(percents, gates);
  }

  /** {@code 10,pause,50,100}: the form {@link #parse} reads, so a recorded plan can be given back. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i <= percents.size(); i++) {
      if (gatesAfter.contains(i)) {
        parts.add(PAUSE);
      }
      if (i < percents.size()) {
        parts.add(percents.get(i).toPlainString());
      }
    }
    return String.join(",", parts);
  }
}
