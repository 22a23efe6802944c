package dev.userstream.cassandra;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import org.junit.Test;

public class RowCountTest {
  @Test
  public void theRangesCoverTheWholeRingWithoutGapsOrOverlaps() {
    assertThat(RowCount.bound(0), equalTo(Long.MIN_VALUE));
    assertThat(RowCount.bound(RowCount.RANGES), equalTo(Long.MAX_VALUE));
    for (int i = 0; i < RowCount.RANGES; i++) {
      // (bound(i), bound(i + 1)]: consecutive, each one non-empty.
      assertThat(RowCount.bound(i + 1), greaterThan(RowCount.bound(i)));
    }
  }
}
