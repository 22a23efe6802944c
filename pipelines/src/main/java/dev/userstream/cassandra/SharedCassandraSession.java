package dev.userstream.cassandra;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.PoolingOptions;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ProtocolVersion;
import com.datastax.driver.core.QueryOptions;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.SocketOptions;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Cassandra session per JVM and endpoint, shared by every DoFn instance that leases it.
 *
 * <p>Why: the Spark runner sets up and tears down DoFns for every partition of every micro-batch,
 * so a DoFn that owns its connection (as stock CassandraIO's writer does) reconnects several
 * times a second. Here {@code @Setup} leases and {@code @Teardown} returns the lease; the session
 * is closed only after it has had no lease for {@link #IDLE_CLOSE_MILLIS}, which the next
 * micro-batch never allows.
 */
public final class SharedCassandraSession {
  private static final Logger LOG = LoggerFactory.getLogger(SharedCassandraSession.class);
  static final long IDLE_CLOSE_MILLIS = 60_000;

  private static final Map<CassandraEndpoint, Shared> SESSIONS = new HashMap<>();
  private static final ScheduledExecutorService CLOSER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "cassandra-session-closer");
            t.setDaemon(true);
            return t;
          });

  private SharedCassandraSession() {}

  /** Leases the endpoint's session, connecting on first use. Close the lease when done. */
  public static Lease lease(CassandraEndpoint endpoint) {
    synchronized (SESSIONS) {
      Shared shared = SESSIONS.get(endpoint);
      if (shared == null) {
        shared = new Shared(endpoint, connect(endpoint));
        SESSIONS.put(endpoint, shared);
      }
      shared.leases++;
      if (shared.pendingClose != null) {
        shared.pendingClose.cancel(false);
        shared.pendingClose = null;
      }
      return new Lease(shared);
    }
  }

  private static void release(Shared shared) {
    synchronized (SESSIONS) {
      if (--shared.leases == 0) {
        shared.pendingClose =
            CLOSER.schedule(() -> closeIfIdle(shared), IDLE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static void closeIfIdle(Shared shared) {
    synchronized (SESSIONS) {
      if (shared.leases > 0 || SESSIONS.get(shared.endpoint) != shared) {
        return;
      }
      SESSIONS.remove(shared.endpoint);
    }
    LOG.info("Closing idle Cassandra session to {}", shared.endpoint);
    shared.session.getCluster().close();
  }

  private static Session connect(CassandraEndpoint endpoint) {
    LOG.info("Connecting to Cassandra at {}", endpoint);
    Cluster.Builder builder =
        Cluster.builder()
            // Spark ships Dropwizard metrics 4, which no longer has the JmxReporter driver 3 uses.
            .withoutJMXReporting()
            .withProtocolVersion(ProtocolVersion.V4)
            .withQueryOptions(
                new QueryOptions().setConsistencyLevel(ConsistencyLevel.valueOf(endpoint.consistency)))
            .withSocketOptions(new SocketOptions().setConnectTimeoutMillis(10_000).setReadTimeoutMillis(20_000))
            .withPoolingOptions(new PoolingOptions().setMaxQueueSize(4096));
    for (InetSocketAddress a : endpoint.addresses()) {
      builder.addContactPointsWithPorts(new InetSocketAddress(a.getHostString(), a.getPort()));
    }
    Cluster cluster = builder.build();
    Session session;
    try {
      // Not bound to the keyspace: statements name it, as Cassandra 5 advises for prepared ones.
      session = cluster.connect();
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

  private static final class Shared {
    final CassandraEndpoint endpoint;
    final Session session;
    final Map<String, PreparedStatement> prepared = new ConcurrentHashMap<>();
    int leases;
    ScheduledFuture<?> pendingClose;

    Shared(CassandraEndpoint endpoint, Session session) {
      this.endpoint = endpoint;
      this.session = session;
    }
  }

  /** A DoFn's hold on the shared session. */
  public static final class Lease implements AutoCloseable {
    private final Shared shared;
    private boolean closed;

    private Lease(Shared shared) {
      this.shared = shared;
    }

    public Session session() {
      return shared.session;
    }

    /** The statement prepared once per session, however many DoFns ask. */
    public PreparedStatement prepare(String cql) {
      return shared.prepared.computeIfAbsent(cql, shared.session::prepare);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(shared);
      }
    }
  }
}
