package dev.userstream.shared;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import org.junit.Test;

/** Nearest rank: the smallest value with at least p % of the values at or below it. */
public class PercentilesTest {
  @Test
  public void nearestRankOfArraysAndLists() {
    long[] hundred = new long[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = i + 1;
    }
    assertThat(Percentiles.of(hundred, 50), equalTo(50L));
    assertThat(Percentiles.of(hundred, 99), equalTo(99L));
    assertThat(Percentiles.of(hundred, 100), equalTo(100L));
    assertThat(Percentiles.of(hundred, 0), equalTo(1L));
    assertThat(Percentiles.of(List.of(10L, 20L, 30L), 50), equalTo(20L));
    assertThat(Percentiles.of(List.of(10L, 20L, 30L), 95), equalTo(30L));
    assertThat(Percentiles.of(new long[] {7}, 99), equalTo(7L));
  }

  @Test(expected = IllegalArgumentException.class)
  public void noValuesHaveNoPercentile() {
    Percentiles.of(new long[0], 50);
  }
}
