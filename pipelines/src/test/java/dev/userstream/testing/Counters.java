package dev.userstream.testing;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** A finished pipeline's counters, for assertions. */
public final class Counters {
  private Counters() {}

  /**
   * The counter's committed value, summed over steps (0 if it never moved). Committed, not
   * attempted: the DirectRunner adds attempted values up asynchronously, after the run has ended.
   */
  public static long committed(PipelineResult result, String namespace, String name) {
    long total = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(namespace, name)).build()).getCounters()) {
      total += c.getCommitted();
    }
    return total;
  }
}
