package dev.userstream.cassandra;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The {@code last_name_key} column: the first {@link #BYTES} bytes of a profile's folded last name
 * (UTF-8) as one number that sorts as the names do, so that a storage-attached index answers "last
 * name starts with" as a range of numbers. Cassandra 5.0's SAI has ranges on numbers but none, nor
 * {@code LIKE} or analyzers, on text; SASI has prefixes but is disabled by default and experimental.
 * One number per row costs Cassandra about a third less per indexed write than the set of every
 * prefix this column replaced (docs/PERFORMANCE.md). A prefix longer than the key (about 8 Latin
 * letters, 4 Cyrillic, 2 CJK) is looked up by the key's part and the reader matches the rest.
 * The streaming job writes the column ({@link ProfileUpsert}); the read API folds its query with
 * {@link #fold} the same way.
 */
public final class LastNameKey {
  /** How much of the folded name, in UTF-8 bytes, the key holds. */
  public static final int BYTES = Long.BYTES;

  private LastNameKey() {}

  /**
   * The keys a name starting with some prefix has, {@code low} to {@code high} inclusive; {@code
   * exact}: every name in the range starts with the prefix (it fits in the key), otherwise only
   * its first {@link #BYTES} bytes were compared.
   */
  public record Range(long low, long high, boolean exact) {}

  /** Case- and width-insensitive form: NFKC, then lower case (root locale), trimmed. */
  public static String fold(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).strip();
  }

  /** The stored key of {@code lastName}; null for a null or blank name. */
  public static Long of(String lastName) {
    if (lastName == null) {
      return null;
    }
    byte[] utf8 = fold(lastName).getBytes(StandardCharsets.UTF_8);
    return utf8.length == 0 ? null : key(utf8, (byte) 0);
  }

  /** The keys of the names starting with {@code foldedPrefix} (not empty). */
  public static Range range(String foldedPrefix) {
    byte[] utf8 = foldedPrefix.getBytes(StandardCharsets.UTF_8);
    // UTF-8 keeps code point order byte by byte, so padding with the lowest and highest byte
    // brackets every longer name; a name shorter than the key is padded with zeros when stored.
    return new Range(key(utf8, (byte) 0), key(utf8, (byte) 0xff), utf8.length <= BYTES);
  }

  /** The first {@link #BYTES} bytes, padded, big-endian, with the sign bit flipped so that signed order is byte order. */
  private static long key(byte[] utf8, byte pad) {
    long key = 0;
    for (int i = 0; i < BYTES; i++) {
      key = (key << 8) | ((i < utf8.length ? utf8[i] : pad) & 0xff);
    }
    return key ^ Long.MIN_VALUE;
  }
}
