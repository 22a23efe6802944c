package dev.userstream.tools;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a fresh Cassandra with {@code PasswordAuthenticator} into one only the project's role can
 * use: creates the role {@code $USERSTREAM_CASSANDRA_USER} (a superuser, with the password in
 * {@code $USERSTREAM_CASSANDRA_PASSWORD_FILE}), then gives the built-in {@code cassandra} role a
 * random password nobody keeps and takes its login away. Run by {@code infra/stack.py up} after
 * every start; a cluster already set up is left as it is.
 *
 * <p>On a cluster, {@code --systemReplication} first replicates the keyspaces of logins and roles
 * ({@code system_auth}) and of repairs ({@code system_distributed}) to every node: Cassandra keeps
 * them on one replica, so losing that node would refuse every login.
 *
 * <p>{@code java -cp <bundled jar> dev.userstream.tools.SecureCassandra --cassandraHosts=127.0.0.1:19042
 * --cassandraPasswordFile=FILE}
 */
public final class SecureCassandra {
  private static final Logger LOG = LoggerFactory.getLogger(SecureCassandra.class);
  /** Cassandra creates its default role a little after it starts listening. */
  private static final long DEFAULT_ROLE_WAIT_MILLIS = 120_000;

  /** Keyspaces a node loss must not take away: roles and logins, and repair history. */
  static final List<String> SYSTEM_KEYSPACES = List.of("system_auth", "system_distributed");

  private SecureCassandra() {}

  /** SecureCassandra's options. */
  public interface Options extends CassandraOptions {
    @Description("Replication of the system_auth and system_distributed keyspaces, a CQL map (on a cluster of"
        + " three: {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}); empty: left as Cassandra made them")
    @Default.String("")
    String getSystemReplication();

    void setSystemReplication(String value);
  }

  public static void main(String[] args) throws InterruptedException {
    Options options = CommandLine.parse(args, Options.class);
    String systemReplication = options.getSystemReplication().strip();
    if (!systemReplication.isEmpty() && !systemReplication.matches("\\{[A-Za-z0-9_':, ]+}")) {
      throw new IllegalArgumentException("--systemReplication: not a CQL replication map: " + systemReplication);
    }
    options.setCassandraKeyspace("system");
    options.setCassandraConsistency("ONE");
    CassandraEndpoint project = CassandraOptions.endpoint(options);
    if (project.user == null) {
      throw new IllegalArgumentException("--cassandraPasswordFile (or $" + CassandraEndpoint.PASSWORD_FILE_ENV
          + ") must name the password file of the role to create");
    }
    if (canLogIn(project)) {
      try (CqlSession session = project.connect()) {
        replicateSystemKeyspaces(session, systemReplication);
      }
      LOG.info("Cassandra at {} already has role '{}'", project.contactPoints, project.user);
      return;
    }
    long deadline = System.currentTimeMillis() + DEFAULT_ROLE_WAIT_MILLIS;
    CqlSessionBuilder builtIn = new CassandraEndpoint(project.contactPoints, "system", "ONE")
        .withLocalDatacenter(project.localDatacenter).sessionBuilder().withAuthCredentials("cassandra", "cassandra");
    while (true) {
      try (CqlSession session = builtIn.build()) {
        // Before the role is written, so that it is written to every replica.
        replicateSystemKeyspaces(session, systemReplication);
        // DDL takes no bind markers; the password is URL-safe base64, no quote can end the literal.
        session.execute("CREATE ROLE IF NOT EXISTS " + quoted(project.user)
            + " WITH SUPERUSER = true AND LOGIN = true AND PASSWORD = '" + passwordOf(project) + "'");
        break;
      } catch (AuthenticationException | AllNodesFailedException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("Cassandra at " + project.contactPoints + " accepts neither role '"
              + project.user + "' with its password file nor its default role; was it set up with another"
              + " password? (" + e.getMessage() + ")", e);
        }
        Thread.sleep(1000);
      }
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    try (CqlSession session = project.connect()) {
      session.execute("ALTER ROLE cassandra WITH PASSWORD = '"
          + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "' AND SUPERUSER = false AND LOGIN = false");
    }
    LOG.info("Cassandra at {}: role '{}' created, default role 'cassandra' locked", project.contactPoints, project.user);
  }

  private static void replicateSystemKeyspaces(CqlSession session, String replication) {
    if (replication.isEmpty()) {
      return;
    }
    for (String keyspace : SYSTEM_KEYSPACES) {
      session.execute("ALTER KEYSPACE " + keyspace + " WITH replication = " + replication);
    }
    LOG.info("Keyspaces {} replicated as {}", SYSTEM_KEYSPACES, replication);
  }

  private static boolean canLogIn(CassandraEndpoint endpoint) {
    try (CqlSession session = endpoint.sessionBuilder().build()) {
      return true;
    } catch (AuthenticationException | AllNodesFailedException e) {
      return false;
    }
  }

  private static String quoted(String role) {
    if (!role.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a plain role name: '" + role + "'");
    }
    return "'" + role + "'";
  }

  private static String passwordOf(CassandraEndpoint endpoint) {
    String password = endpoint.password();
    if (!password.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("the Cassandra password file must hold URL-safe base64 (the stack writes"
          + " one); it holds other characters");
    }
    return password;
  }
}
