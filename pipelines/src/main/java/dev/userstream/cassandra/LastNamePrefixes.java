package dev.userstream.cassandra;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code last_name_prefixes} column: a profile's last name, folded, and every prefix of it up
 * to {@link #MAX_LENGTH} characters, so that a storage-attached index on the set's values answers
 * "last name starts with" ({@code last_name_prefixes CONTAINS ?}). Cassandra 5.0's SAI has no
 * range or {@code LIKE} on text, and no analyzers; SASI has prefixes but is disabled by default
 * and experimental. The streaming job writes the column ({@link ProfileUpsert}); the read API folds
 * its query with {@link #fold} the same way.
 */
public final class LastNamePrefixes {
  /** Longer prefixes are not stored: the reader matches the rest of a longer query itself. */
  public static final int MAX_LENGTH = 16;

  private LastNamePrefixes() {}

  /** Case- and width-insensitive form: NFKC, then lower case (root locale), trimmed. */
  public static String fold(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).strip();
  }

  /** The stored prefixes of {@code lastName} (empty for null or blank), shortest first. */
  public static Set<String> of(String lastName) {
    Set<String> out = new LinkedHashSet<>();
    if (lastName == null) {
      return out;
    }
    String folded = fold(lastName);
    int codePoints = folded.codePointCount(0, folded.length());
    for (int n = 1; n <= Math.min(codePoints, MAX_LENGTH); n++) {
      out.add(folded.substring(0, folded.offsetByCodePoints(0, n)));
    }
    return out;
  }

  /** The part of a folded query prefix the index can match: at most {@link #MAX_LENGTH} characters. */
  public static String indexed(String foldedPrefix) {
    int codePoints = foldedPrefix.codePointCount(0, foldedPrefix.length());
    return codePoints <= MAX_LENGTH ? foldedPrefix : foldedPrefix.substring(0, foldedPrefix.offsetByCodePoints(0, MAX_LENGTH));
  }
}
