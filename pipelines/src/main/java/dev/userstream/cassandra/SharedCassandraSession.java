package dev.userstream.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
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

  private static final SharedClients<CassandraEndpoint, Connected> SESSIONS =
      new SharedClients<>(
          "Cassandra session",
          endpoint -> new Connected(connect(endpoint)),
          connected -> connected.session.close(),
          IDLE_CLOSE_MILLIS);

  private SharedCassandraSession() {}

  /** Leases the endpoint's session, connecting on first use. Close the lease when done. */
  public static Lease lease(CassandraEndpoint endpoint) {
    return new Lease(SESSIONS.lease(endpoint));
  }

  private static CqlSession connect(CassandraEndpoint endpoint) {
    LOG.info("Connecting to Cassandra at {}", endpoint);
    CqlSession session = endpoint.connect();
    if (session.getMetadata().getKeyspace(endpoint.keyspace).isEmpty()) {
      session.close();
      throw new IllegalStateException(
          "Cassandra keyspace '" + endpoint.keyspace + "' does not exist at "
              + endpoint.contactPoints + ": apply infra/cassandra/schema.cql first"
              + " (python3 infra/stack.py schema, or dev.userstream.tools.ApplySchema)");
    }
    return session;
  }

  private static final class Connected {
    final CqlSession session;
    final Map<String, PreparedStatement> prepared = new ConcurrentHashMap<>();

    Connected(CqlSession session) {
      this.session = session;
    }
  }

  /** A DoFn's hold on the shared session. */
  public static final class Lease implements AutoCloseable {
    private final SharedClients.Lease<Connected> lease;

    private Lease(SharedClients.Lease<Connected> lease) {
      this.lease = lease;
    }

    public CqlSession session() {
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
