package dev.userstream.cassandra;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import org.junit.Test;

/** The shipped CQL: substituted, split into idempotent statements, no secret columns. */
public class CassandraSchemaTest {
  @Test
  public void statementsAreSubstitutedAndIdempotent() {
    List<String> statements =
        CassandraSchema.statements("ks_test", "{'class': 'NetworkTopologyStrategy', 'dc1': 3}");
    assertThat(statements, hasSize(11));
    assertThat(statements.get(0), startsWith("CREATE KEYSPACE IF NOT EXISTS ks_test"));
    assertThat(statements.get(0), containsString("'dc1': 3"));
    assertThat(statements.get(1), startsWith("CREATE TABLE IF NOT EXISTS ks_test.users"));
    assertThat(statements.get(2), startsWith("ALTER TABLE ks_test.users WITH compression = "));
    assertThat(statements.get(2), containsString("'chunk_length_in_kb': 4"));
    assertThat(statements.get(3), startsWith("ALTER TABLE ks_test.users ADD IF NOT EXISTS last_name_key bigint"));
    assertThat(statements.get(4), startsWith("DROP INDEX IF EXISTS ks_test.users_last_name_prefixes"));
    assertThat(statements.get(5), startsWith("ALTER TABLE ks_test.users DROP IF EXISTS last_name_prefixes"));
    for (String index : statements.subList(6, 11)) {
      assertThat(index, startsWith("CREATE INDEX IF NOT EXISTS users_"));
      assertThat(index, containsString(" ON ks_test.users ("));
      assertThat(index, containsString("USING 'sai'"));
    }
    for (String s : statements) {
      assertThat(s, not(containsString("${")));
      assertThat(s.toLowerCase(java.util.Locale.ROOT), not(containsString("password")));
      assertThat(s.toLowerCase(java.util.Locale.ROOT), not(containsString("salt")));
      assertThat(s.toLowerCase(java.util.Locale.ROOT), not(containsString("allow filtering")));
    }
  }

  @Test(expected = IllegalArgumentException.class)
  public void rejectsAKeyspaceThatIsNotAName() {
    CassandraSchema.statements("users; DROP KEYSPACE x", CassandraSchema.LOCAL_REPLICATION);
  }

  @Test
  public void insertNamesEveryColumnOnce() {
    String cql = ProfileUpsert.insertCql("ks", "users");
    assertThat(cql.chars().filter(c -> c == '?').count() == 24, org.hamcrest.Matchers.is(true));
  }
}
