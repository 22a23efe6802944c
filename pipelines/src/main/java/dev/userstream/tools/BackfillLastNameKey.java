package dev.userstream.tools;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.LastNameKey;
import dev.userstream.cassandra.ProfileUpsert;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code last_name_key} into the profiles stored before the streaming job wrote it, so that
 * the read API's last-name prefix finds them: {@code java -cp <bundled jar>
 * dev.userstream.tools.BackfillLastNameKey --cassandraHosts=... --cassandraKeyspace=userstream}.
 * It reads the whole table once (a one-off, not for every start) and is safe to run again: a row
 * that has its key is left alone. Each key is written with the timestamp of the last name it was
 * computed from, so a profile the job rewrites meanwhile keeps the job's key.
 */
public final class BackfillLastNameKey {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillLastNameKey.class);
  private static final int PAGE = 1000;
  private static final int IN_FLIGHT = 64;
  private static final int PROGRESS_EVERY = 100_000;

  private BackfillLastNameKey() {}

  public static void main(String[] args) {
    CassandraOptions options = CommandLine.parse(args, CassandraOptions.class);
    CassandraEndpoint endpoint = CassandraOptions.endpoint(options);
    try (CqlSession session = endpoint.connect()) {
      backfill(session, endpoint.keyspace, options.getCassandraTable());
    }
  }

  /** Keys the rows of {@code keyspace.table} that have a last name and no key; returns how many. */
  public static long backfill(CqlSession session, String keyspace, String table) {
    String target = keyspace + "." + ProfileUpsert.requireTableName(table);
    PreparedStatement update = session.prepare("UPDATE " + target + " USING TIMESTAMP ? SET last_name_key = ?"
        + " WHERE id = ?");
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    long read = 0;
    long keyed = 0;
    for (Row row : session.execute(SimpleStatement.newInstance(
        "SELECT id, last_name, writetime(last_name), last_name_key FROM " + target).setPageSize(PAGE))) {
      read++;
      Long key = row.isNull(3) ? LastNameKey.of(row.getString(1)) : null;
      if (key != null) {
        inFlight.acquireUninterruptibly();
        session.executeAsync(update.bind(row.getLong(2), key, row.getUuid(0)).setIdempotent(true))
            .whenComplete((r, e) -> {
              if (e != null) {
                failed.compareAndSet(null, e);
              }
              inFlight.release();
            });
        keyed++;
      }
      if (read % PROGRESS_EVERY == 0) {
        LOG.info("{}: {} rows read, {} keyed so far", target, read, keyed);
      }
    }
    inFlight.acquireUninterruptibly(IN_FLIGHT);
    if (failed.get() != null) {
      throw new IllegalStateException("a key could not be written (nothing is lost: run it again): "
          + failed.get().getMessage(), failed.get());
    }
    LOG.info("{}: {} rows read, {} keyed; the rest had a key or no last name", target, read, keyed);
    return keyed;
  }
}
