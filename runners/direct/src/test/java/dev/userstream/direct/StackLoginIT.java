package dev.userstream.direct;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StagingTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.Test;

/**
 * PostgreSQL and Cassandra of the local stack let in only the project's user with its generated
 * password: no login without one, none with a wrong one, and none with Cassandra's default role.
 */
public class StackLoginIT {
  private static final CassandraEndpoint CASSANDRA = new CassandraEndpoint(LocalStack.CASSANDRA, "system", "ONE");

  @Test
  public void cassandraRefusesAnonymousDefaultAndWrongLogins() {
    assertRefused(CASSANDRA.sessionBuilder());
    assertRefused(CASSANDRA.sessionBuilder().withAuthCredentials("cassandra", "cassandra"));
    assertRefused(CASSANDRA.sessionBuilder().withAuthCredentials("userstream", "not-the-password"));
    try (CqlSession session = CASSANDRA.withLoginFromEnvironment().connect()) {
      assertThat(session.execute("SELECT release_version FROM system.local").one().getString(0).isEmpty(),
          equalTo(false));
    }
  }

  @Test
  public void postgresRefusesMissingAndWrongPasswords() throws Exception {
    Properties none = new Properties();
    none.put("user", StagingTable.USER);
    SQLException missing = assertThrows(SQLException.class, () -> DriverManager.getConnection(StagingTable.URL, none));
    assertThat(missing.getMessage(), containsString("password"));
    Properties wrong = new Properties();
    wrong.put("user", StagingTable.USER);
    wrong.put("password", "not-the-password");
    SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(StagingTable.URL, wrong));
    assertThat(refused.getMessage(), containsString("password authentication failed"));
    Properties right = new Properties();
    right.put("user", StagingTable.USER);
    right.put("password", Files.readString(StagingTable.PASSWORD_FILE, StandardCharsets.UTF_8).strip());
    DriverManager.getConnection(StagingTable.URL, right).close();
  }

  private static void assertRefused(CqlSessionBuilder builder) {
    AllNodesFailedException refused = assertThrows(AllNodesFailedException.class, builder::build);
    assertThat(refused.toString(), CassandraEndpoint.refusedLogin(refused), equalTo(true));
  }
}
