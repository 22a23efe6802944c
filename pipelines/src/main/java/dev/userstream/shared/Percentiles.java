package dev.userstream.shared;

import java.util.List;

/** The nearest-rank percentile, as the benchmark and the console report latencies. */
public final class Percentiles {
  private Percentiles() {}

  /** The {@code p}-th percentile (0-100) of ascending {@code sorted}: the value at rank ceil(p/100 * n). */
  public static long of(long[] sorted, int p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    return sorted[rank(p, sorted.length)];
  }

  /** As {@link #of(long[], int)}, for a sorted list. */
  public static long of(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    return sorted.get(rank(p, sorted.size()));
  }

  private static int rank(int p, int n) {
    if (p < 0 || p > 100) {
      throw new IllegalArgumentException("a percentile is 0-100, not " + p);
    }
    return Math.max(0, Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1));
  }
}
