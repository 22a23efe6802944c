package dev.userstream.cassandra;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.PoolingOptions;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ProtocolVersion;
import com.datastax.driver.core.QueryOptions;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.SocketOptions;
import com.datastax.driver.core.exceptions.AuthenticationException;
import com.datastax.driver.core.policies.ConstantReconnectionPolicy;
import dev.userstream.shared.SharedClients;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Cassandra session per JVM and endpoint, shared by every DoFn instance that leases it (see
 * {@link SharedClients} for why this is not stock CassandraIO, whose writer owns its connection).
 */
public final class SharedCassandraSession {
  private static final Logger LOG = LoggerFactory.getLogger(SharedCassandraSession.class);
  static final long IDLE_CLOSE_MILLIS = 60_000;
  static final long RECONNECT_MILLIS = 1_000;

  private static final SharedClients<CassandraEndpoint, Connected> SESSIONS =
      new SharedClients<>(
          "Cassandra session",
          endpoint -> new Connected(connect(endpoint)),
          connected -> connected.session.getCluster().close(),
          IDLE_CLOSE_MILLIS);

  private SharedCassandraSession() {}

  /** Leases the endpoint's session, connecting on first use. Close the lease when done. */
  public static Lease lease(CassandraEndpoint endpoint) {
    return new Lease(SESSIONS.lease(endpoint));
  }

  private static Session connect(CassandraEndpoint endpoint) {
    LOG.info("Connecting to Cassandra at {}", endpoint);
    Cluster.Builder builder =
        endpoint
            .clusterBuilder()
            // The default waits up to 10 minutes between attempts once a node has been down a
            // while; a restarted Cassandra should take writes again within seconds.
            .withReconnectionPolicy(new ConstantReconnectionPolicy(RECONNECT_MILLIS))
            .withProtocolVersion(ProtocolVersion.V4)
            .withQueryOptions(
                new QueryOptions().setConsistencyLevel(ConsistencyLevel.valueOf(endpoint.consistency)))
            .withSocketOptions(new SocketOptions().setConnectTimeoutMillis(10_000).setReadTimeoutMillis(20_000))
            .withPoolingOptions(new PoolingOptions().setMaxQueueSize(4096));
    Cluster cluster = builder.build();
    Session session;
    try {
      // Not bound to the keyspace: statements name it, as Cassandra 5 advises for prepared ones.
      session = cluster.connect();
    } catch (AuthenticationException e) {
      cluster.close();
      throw new IllegalStateException(
          "Cassandra at " + endpoint.contactPoints + " refused the login"
              + (endpoint.user == null
                  ? ": it authenticates, so give --cassandraUser and --cassandraPasswordFile"
                  : " of user '" + endpoint.user + "': wrong password file?")
              + " (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      cluster.close();
      throw new IllegalStateException(
          "cannot connect to Cassandra at " + endpoint.contactPoints + " (is it up?): "
              + e.getMessage(), e);
    }
    if (cluster.getMetadata().getKeyspace(endpoint.keyspace) == null) {
      cluster.close();
      throw new IllegalStateException(
          "Cassandra keyspace '" + endpoint.keyspace + "' does not exist at "
              + endpoint.contactPoints + ": apply infra/cassandra/schema.cql first"
              + " (python3 infra/stack.py schema, or dev.userstream.tools.ApplySchema)");
    }
    return session;
  }

  private static final class Connected {
    final Session session;
    final Map<String, PreparedStatement> prepared = new ConcurrentHashMap<>();

    Connected(Session session) {
      this.session = session;
    }
  }

  /** A DoFn's hold on the shared session. */
  public static final class Lease implements AutoCloseable {
    private final SharedClients.Lease<Connected> lease;

    private Lease(SharedClients.Lease<Connected> lease) {
      this.lease = lease;
    }

    public Session session() {
      return lease.client().session;
    }

    /** The statement prepared once per session, however many DoFns ask. */
    public PreparedStatement prepare(String cql) {
      return lease.client().prepared.computeIfAbsent(cql, lease.client().session::prepare);
    }

    @Override
    public void close() {
      lease.close();
    }
  }
}
