package dev.userstream.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.math.BigInteger;

/**
 * Counts a table's rows in token ranges, each range a small query retried on its own
 * ({@link RetryingReads}). One {@code SELECT count(*)} over the whole table is a single query that
 * must scan every row within one read timeout: on the stack's one-node Cassandra it timed out and
 * failed at 1.8 million rows (the soak), while 256 range counts took 15 s.
 */
public final class RowCount {
  /** Ranges the Murmur3 token ring is cut into. */
  static final int RANGES = 256;

  private final CqlSession session;
  private final String table;
  private final PreparedStatement range;

  private RowCount(CqlSession session, String keyspace, String table) {
    this.session = session;
    this.table = keyspace + "." + table;
    // Prepared once: a caller that counts again and again (Report waiting for rows) re-uses it.
    this.range = session.prepare("SELECT count(*) FROM " + this.table + " WHERE token(id) > ? AND token(id) <= ?");
  }

  /** A counter of {@code keyspace.table}'s rows (partition key {@code id}). */
  public static RowCount of(CqlSession session, String keyspace, String table) {
    return new RowCount(session, keyspace, table);
  }

  /** The rows now; fails if a range keeps failing past the deadline. */
  public long count(long deadlineNanos) throws InterruptedException {
    long total = 0;
    for (int i = 0; i < RANGES; i++) {
      long low = bound(i);
      long high = bound(i + 1);
      total += RetryingReads.retry("row count of " + table, deadlineNanos,
          () -> session.execute(range.bind(low, high)).one().getLong(0));
    }
    return total;
  }

  /** The i-th of RANGES + 1 bounds, from Long.MIN_VALUE (no token of Murmur3 is that one) to Long.MAX_VALUE. */
  static long bound(int i) {
    if (i == RANGES) {
      return Long.MAX_VALUE;
    }
    BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
    BigInteger span = BigInteger.valueOf(Long.MAX_VALUE).subtract(min);
    return min.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(RANGES))).longValue();
  }
}
