package dev.userstream.tools;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.CassandraSchema;
import dev.userstream.cassandra.ProfileUpsert;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies infra/cassandra/schema.cql: {@code java -cp <bundled jar> dev.userstream.tools.ApplySchema
 * --cassandraHosts=127.0.0.1:19042 --cassandraKeyspace=userstream
 * --replication="{'class':'SimpleStrategy','replication_factor':1}"}. Safe to run again. Logs in
 * as {@link CassandraOptions} say ({@code --help} lists them).
 */
public final class ApplySchema {
  private static final Logger LOG = LoggerFactory.getLogger(ApplySchema.class);

  private ApplySchema() {}

  /** ApplySchema's options. */
  public interface Options extends CassandraOptions {
    @Description("The keyspace's replication, a CQL map; on a cluster e.g."
        + " {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}")
    @Default.String(CassandraSchema.LOCAL_REPLICATION)
    String getReplication();

    void setReplication(String value);

    @Description("A role to create, or keep, that may log in and only read the profiles table: the read API's"
        + " (least privilege). Needs Cassandra's CassandraAuthorizer. Empty: none")
    @Default.String("")
    String getReaderRole();

    void setReaderRole(String value);

    @Description("File holding --readerRole's password (set on every run, so the file stays the truth)")
    @Default.String("")
    String getReaderPasswordFile();

    void setReaderPasswordFile(String value);
  }

  public static void main(String[] args) {
    Options options = CommandLine.parse(args, Options.class);
    CassandraEndpoint endpoint = CassandraOptions.endpoint(options);
    try (CqlSession session = endpoint.connect()) {
      CassandraSchema.apply(session, endpoint.keyspace, options.getReplication());
      LOG.info("Schema applied to keyspace {} at {}", endpoint.keyspace, endpoint.contactPoints);
      if (!options.getReaderRole().isEmpty()) {
        grantReader(session, endpoint, options.getCassandraTable(), options.getReaderRole(),
            options.getReaderPasswordFile());
      }
    }
  }

  /** The read-only role: it logs in, is no superuser, and may SELECT the one table, nothing else. */
  static void grantReader(CqlSession session, CassandraEndpoint endpoint, String table, String role,
      String passwordFile) {
    if (!role.matches("[a-z][a-z0-9_]{0,47}")) {
      throw new IllegalArgumentException("--readerRole: not a Cassandra role name: '" + role + "'");
    }
    if (passwordFile.isEmpty()) {
      throw new IllegalArgumentException("--readerRole " + role + " needs --readerPasswordFile");
    }
    String password = endpoint.withLogin(role, passwordFile).password();
    // DDL takes no bind markers: the password must be one that cannot end the literal.
    if (!password.matches("[A-Za-z0-9_-]{16,}")) {
      throw new IllegalArgumentException(passwordFile + ": the reader's password must be 16 or more URL-safe"
          + " base64 characters (infra/stack.py makes one)");
    }
    String target = endpoint.keyspace + "." + ProfileUpsert.requireTableName(table);
    session.execute("CREATE ROLE IF NOT EXISTS " + role + " WITH LOGIN = true AND SUPERUSER = false AND PASSWORD = '"
        + password + "'");
    session.execute("ALTER ROLE " + role + " WITH PASSWORD = '" + password + "'");
    session.execute("GRANT SELECT ON TABLE " + target + " TO " + role);
    LOG.info("Role {} may log in and read {} only", role, target);
  }
}
