package org.filewcount.agent.split;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Traffic weights per app version, in percent, as a service-splitter holds them. Valid by construction:
 * every weight is 0..100 with at most two decimals (Consul's precision: it stores weights in units of
 * 0.01%), and the weights sum to exactly 100.
 *
 * @param weights version to percent, in the order given (the splitter lists them in this order)
 */
public record Split(Map<String, BigDecimal> weights) {

  public static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  public Split {
    Objects.requireNonNull(weights, "weights");
    if (weights.isEmpty()) {
      throw new SplitRefusedException("no weights given: pass --weight VERSION=PERCENT,... (for example --weight 1.0=75,2.0=25)");
    }
    Map<String, BigDecimal> copy = new LinkedHashMap<>();
    BigDecimal sum = BigDecimal.ZERO;
    for (Map.Entry<String, BigDecimal> e : weights.entrySet()) {
      String version = e.getKey();
      BigDecimal w = e.getValue();
      checkWeight(version, w);
      BigDecimal normalized = w.stripTrailingZeros();
      if (normalized.scale() < 0) {
        normalized = normalized.setScale(0, RoundingMode.UNNECESSARY);
      }
      copy.put(version, normalized);
      sum = sum.add(normalized);
    }
    if (sum.compareTo(HUNDRED) != 0) {
      throw new SplitRefusedException("the weights sum to " + sum.toPlainString() + ", not 100 (" + describe(copy)
          + "): adjust them so they add up to exactly 100");
    }
    weights = Collections.unmodifiableMap(copy);
  }

  private static void checkWeight(String version, BigDecimal w) {
    if (version == null || version.isBlank()) {
      throw new SplitRefusedException("a weight has no version: write VERSION=PERCENT, for example 2.0=25");
    }
    if (w == null) {
      throw new SplitRefusedException("version " + version + " has no weight: write " + version + "=PERCENT");
    }
    if (w.signum() < 0) {
      throw new SplitRefusedException("weight " + w.toPlainString() + " for version " + version
          + " is negative: weights are percentages from 0 to 100");
    }
    if (w.compareTo(HUNDRED) > 0) {
      throw new SplitRefusedException("weight " + w.toPlainString() + " for version " + version
          + " is over 100: weights are percentages from 0 to 100");
    }
    if (w.stripTrailingZeros().scale() > 2) {
      throw new SplitRefusedException("weight " + w.toPlainString() + " for version " + version
          + " has more than two decimals: Consul stores weights in steps of 0.01, so round it (for example "
          + w.setScale(2, RoundingMode.HALF_UP).toPlainString() + ")");
    }
  }

  /**
   * Reads {@code --weight} values: each is {@code VERSION=PERCENT} or a comma-separated list of them,
   * so {@code --weight 1.0=75,2.0=25} and {@code --weight 1.0=75 --weight 2.0=25} mean the same.
   */
  public static Split parse(List<String> specs) {
    Map<String, BigDecimal> weights = new LinkedHashMap<>();
    for (String spec : specs) {
      for (String part : spec.split(",")) {
        String item = part.strip();
        if (item.isEmpty()) {
          continue;
        }
        int eq = item.indexOf('=');
        if (eq <= 0 || eq == item.length() - 1) {
          throw new SplitRefusedException("--weight '" + item + "' is not VERSION=PERCENT: write for example 2.0=25");
        }
        String version = item.substring(0, eq).strip();
        String number = item.substring(eq + 1).strip();
        if (!NUMBER.matcher(number).matches()) {
          throw new SplitRefusedException("--weight '" + item + "': '" + number + "' is not a number: write a percentage"
              + " such as 25 or 12.5");
        }
        BigDecimal w = new BigDecimal(number);
        checkWeight(version, w);
        if (weights.putIfAbsent(version, w) != null) {
          throw new SplitRefusedException("--weight names version " + version + " twice: give each version one weight");
        }
      }
    }
    return new Split(weights);
  }

  /** Parses one percentage given on its own ({@code --percent}, {@code --steps}). */
  public static BigDecimal percent(String flag, String text) {
    String value = text == null ? "" : text.strip();
    if (!NUMBER.matcher(value).matches()) {
      throw new SplitRefusedException(flag + " '" + text + "' is not a number: write a percentage such as 25 or 12.5");
    }
    BigDecimal p = new BigDecimal(value);
    checkWeight(flag, p);
    return p.stripTrailingZeros().scale() < 0 ? p.setScale(0, RoundingMode.UNNECESSARY) : p.stripTrailingZeros();
  }

  public static Split all(String version) {
    return new Split(Map.of(version, HUNDRED));
  }

  /** {@code percent} to the canary, the rest to stable; a version at 0 is left out of the splitter. */
  public static Split canary(String stable, String canary, BigDecimal percent) {
    Map<String, BigDecimal> w = new LinkedHashMap<>();
    BigDecimal rest = HUNDRED.subtract(percent);
    if (rest.signum() > 0) {
      w.put(stable, rest);
    }
    if (percent.signum() > 0) {
      w.put(canary, percent);
    }
    return new Split(w);
  }

  public BigDecimal weight(String version) {
    return weights.getOrDefault(version, BigDecimal.ZERO);
  }

  /** The version with the largest weight (the first of them on a tie): the resolver's default subset. */
  public String stable() {
    String best = null;
    for (Map.Entry<String, BigDecimal> e : weights.entrySet()) {
      if (best == null || e.getValue().compareTo(weights.get(best)) > 0) {
        best = e.getKey();
      }
    }
    return best;
  }

  public List<String> versions() {
    return new ArrayList<>(weights.keySet());
  }

  /** For the {@code filewcount.traffic.weight} gauge. */
  public Map<String, Double> asDoubles() {
    Map<String, Double> out = new LinkedHashMap<>();
    weights.forEach((v, w) -> out.put(v, w.doubleValue()));
    return out;
  }

  /** {@code 1.0=75, 2.0=25}: the same notation --weight takes. */
  public String describe() {
    return describe(weights);
  }

  private static String describe(Map<String, BigDecimal> weights) {
    List<String> parts = new ArrayList<>();
    weights.forEach((v, w) -> parts.add(v + "=" + w.toPlainString()));
    return String.join(", ", parts);
  }

  @Override
  public String toString() {
    return describe();
  }
}
