package dev.userstream.cassandra;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import org.junit.Test;

/** The stored prefixes and the query's folding agree, for any script and case. */
public class LastNamePrefixesTest {
  @Test
  public void everyPrefixOfTheFoldedNameShortestFirst() {
    assertThat(LastNamePrefixes.of("  Smith "), contains("s", "sm", "smi", "smit", "smith"));
  }

  @Test
  public void noPrefixesForAMissingName() {
    assertThat(LastNamePrefixes.of(null), is(empty()));
    assertThat(LastNamePrefixes.of("   "), is(empty()));
  }

  @Test
  public void aQueryFoldedLikeTheStoredNameFindsIt() {
    // Composed and decomposed accents, full-width letters and upper case all fold alike.
    String stored = "Ço\u0308zdemir";
    assertThat(LastNamePrefixes.of(stored), hasItem(LastNamePrefixes.fold("ÇÖZ")));
    assertThat(LastNamePrefixes.of("ＳＭＩＴＨ"), hasItem(LastNamePrefixes.fold("smi")));
    assertThat(LastNamePrefixes.of("Нестеренко"), hasItem(LastNamePrefixes.fold("НЕСТ")));
  }

  @Test
  public void prefixesStopAtTheMaximumAndCountCharactersNotUnits() {
    String longName = "Wolfeschlegelsteinhausenbergerdorff";
    assertThat(LastNamePrefixes.of(longName), hasSize(LastNamePrefixes.MAX_LENGTH));
    assertThat(LastNamePrefixes.of(longName), not(hasItem(LastNamePrefixes.fold(longName))));
    assertThat(LastNamePrefixes.indexed(LastNamePrefixes.fold(longName)).length(), is(LastNamePrefixes.MAX_LENGTH));
    // A character outside the Basic Multilingual Plane is one prefix step, never half of one.
    assertThat(LastNamePrefixes.of("\uD840\uDC00b"), contains("\uD840\uDC00", "\uD840\uDC00b"));
  }
}
