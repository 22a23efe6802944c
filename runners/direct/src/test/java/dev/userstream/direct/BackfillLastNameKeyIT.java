package dev.userstream.direct;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.CassandraSchema;
import dev.userstream.cassandra.LastNameKey;
import dev.userstream.testing.LocalStack;
import dev.userstream.tools.BackfillLastNameKey;
import java.util.UUID;
import org.junit.Test;

/**
 * Rows stored before the job wrote {@code last_name_key} get it from the backfill; a row that has
 * one, or has no last name, is left alone; a second run writes nothing; each key carries the time
 * of the name it came from.
 */
public class BackfillLastNameKeyIT {
  @Test
  public void oldRowsGetTheirKeyAndNewerWritesWin() {
    String keyspace = "it_backfill_" + UUID.randomUUID().toString().substring(0, 8);
    CassandraEndpoint endpoint = new CassandraEndpoint(LocalStack.CASSANDRA, keyspace, "LOCAL_QUORUM");
    try (CqlSession session = endpoint.withLoginFromEnvironment().connect()) {
      CassandraSchema.apply(session, keyspace, CassandraSchema.LOCAL_REPLICATION);
      try {
        String users = keyspace + ".users";
        UUID old = UUID.randomUUID();
        UUID keyed = UUID.randomUUID();
        UUID nameless = UUID.randomUUID();
        session.execute("INSERT INTO " + users + " (id, last_name) VALUES (" + old + ", 'Нестеренко') USING TIMESTAMP 1000");
        session.execute("INSERT INTO " + users + " (id, last_name, last_name_key) VALUES (" + keyed + ", 'Smith', 42)");
        session.execute("INSERT INTO " + users + " (id, first_name) VALUES (" + nameless + ", 'Jennie')");

        assertThat(BackfillLastNameKey.backfill(session, keyspace, "users"), is(1L));
        assertThat(key(session, users, old), is(LastNameKey.of("Нестеренко")));
        assertThat(key(session, users, keyed), is(42L));
        assertThat(key(session, users, nameless), is(nullValue()));
        assertThat(BackfillLastNameKey.backfill(session, keyspace, "users"), is(0L));

        // Stamped with the time of the name it came from: a profile the job rewrites meanwhile
        // (a later time) keeps the job's key.
        assertThat(session.execute("SELECT writetime(last_name_key) FROM " + users + " WHERE id = " + old).one()
            .getLong(0), is(1000L));
      } finally {
        session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
      }
    }
  }

  private static Long key(CqlSession session, String users, UUID id) {
    Row row = session.execute("SELECT last_name_key FROM " + users + " WHERE id = " + id).one();
    return row.isNull(0) ? null : row.getLong(0);
  }
}
