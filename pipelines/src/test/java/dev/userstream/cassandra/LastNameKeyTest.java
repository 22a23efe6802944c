package dev.userstream.cassandra;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.Test;

/** The stored key and the query's range agree, for any script and case, and keys sort as names do. */
public class LastNameKeyTest {
  private static boolean inRange(String storedName, String queryPrefix) {
    LastNameKey.Range range = LastNameKey.range(LastNameKey.fold(queryPrefix));
    long key = LastNameKey.of(storedName);
    return range.low() <= key && key <= range.high();
  }

  @Test
  public void aNameIsInTheRangeOfEachOfItsPrefixesAndOfNoOther() {
    for (String prefix : new String[] {"s", "sm", "smi", "smit", "smith"}) {
      assertThat(prefix, inRange("  Smith ", prefix), is(true));
    }
    for (String other : new String[] {"smiths", "smy", "sa", "t", "r", "smitg", "smiti"}) {
      assertThat(other, inRange("Smith", other), is(false));
    }
    assertThat(LastNameKey.range("smith").exact(), is(true));
  }

  @Test
  public void noKeyForAMissingName() {
    assertThat(LastNameKey.of(null), is(nullValue()));
    assertThat(LastNameKey.of("   "), is(nullValue()));
  }

  @Test
  public void aQueryFoldedLikeTheStoredNameFindsIt() {
    // Composed and decomposed accents, full-width letters and upper case all fold alike.
    assertThat(inRange("Ço\u0308zdemir", "ÇÖZ"), is(true));
    assertThat(inRange("ＳＭＩＴＨ", "smi"), is(true));
    assertThat(inRange("Нестеренко", "НЕСТ"), is(true));
    assertThat(inRange("Нестеренко", "НЕСК"), is(false));
  }

  @Test
  public void keysSortAsTheFoldedNamesDoWhateverTheirFirstByte() {
    // Bytes from 0x80 up (every non-ASCII letter) would sort below ASCII as signed numbers.
    List<String> names = new ArrayList<>(List.of("Zeta", "Østergaard", "Aa", "a", "Ab", "Нестеренко", "李", "ab",
        "Walker", "ÇÖZ"));
    names.sort(Comparator.comparing(n -> new String(LastNameKey.fold(n).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.nio.charset.StandardCharsets.ISO_8859_1)));
    for (int i = 1; i < names.size(); i++) {
      String before = names.get(i - 1);
      String after = names.get(i);
      if (!LastNameKey.fold(before).equals(LastNameKey.fold(after))) {
        assertThat(before + " < " + after, LastNameKey.of(before), lessThan(LastNameKey.of(after)));
      }
    }
  }

  @Test
  public void aPrefixLongerThanTheKeyIsMatchedOnItsFirstBytesOnly() {
    String longName = "Wolfeschlegelsteinhausenbergerdorff";
    LastNameKey.Range range = LastNameKey.range(LastNameKey.fold("wolfeschlegel"));
    assertThat(range.exact(), is(false));
    assertThat(range.low(), is(range.high()));
    assertThat(inRange(longName, "wolfeschlegel"), is(true));
    // Same first 8 bytes, a different name: in the range, for the reader to tell apart.
    assertThat(inRange("Wolfeschmidt", "wolfeschlegel"), is(true));
    // Four Cyrillic letters fill the key; a fifth does not fit.
    assertThat(LastNameKey.range(LastNameKey.fold("Нест")).exact(), is(true));
    assertThat(LastNameKey.range(LastNameKey.fold("Несте")).exact(), is(false));
  }
}
