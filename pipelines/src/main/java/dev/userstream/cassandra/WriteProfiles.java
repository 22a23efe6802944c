package dev.userstream.cassandra;

import com.datastax.driver.core.BoundStatement;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ResultSetFuture;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.exceptions.DriverException;
import dev.userstream.model.UserProfile;
import dev.userstream.stream.StreamMetrics;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Date;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upserts profiles into the Cassandra users table, keyed by {@code id} ({@code login.uuid}): a
 * replay overwrites the same row with the same values, never duplicates it.
 *
 * <p>Writes are asynchronous prepared inserts, at most {@code maxInFlight} per DoFn instance, all
 * acknowledged before the bundle finishes; a write that still fails after {@link #MAX_ATTEMPTS}
 * attempts fails the bundle, so Beam retries it and nothing is committed as done that was not
 * stored. The session is the JVM-wide {@link SharedCassandraSession} (see there for why this is
 * not stock CassandraIO).
 *
 * <pre>{@code
 * profiles.apply("WriteProfiles",
 *     WriteProfiles.to(new CassandraEndpoint("127.0.0.1:19042", "userstream", "LOCAL_QUORUM"), "users"));
 * }</pre>
 */
public final class WriteProfiles extends PTransform<PCollection<UserProfile>, PDone> {
  private static final long serialVersionUID = 1L;
  static final int MAX_ATTEMPTS = 5;

  private final CassandraEndpoint endpoint;
  private final String table;
  private final int maxInFlight;

  private WriteProfiles(CassandraEndpoint endpoint, String table, int maxInFlight) {
    this.endpoint = endpoint;
    this.table = table;
    this.maxInFlight = maxInFlight;
  }

  public static WriteProfiles to(CassandraEndpoint endpoint, String table) {
    return new WriteProfiles(endpoint, table, 256);
  }

  /** Bounds the unacknowledged writes of one DoFn instance. */
  public WriteProfiles withMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    return new WriteProfiles(endpoint, table, maxInFlight);
  }

  @Override
  public PDone expand(PCollection<UserProfile> profiles) {
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a Cassandra table name: '" + table + "'");
    }
    profiles.apply("UpsertProfiles", ParDo.of(new UpsertFn(endpoint, table, maxInFlight)));
    return PDone.in(profiles.getPipeline());
  }

  /** The upsert statement; column order matches {@link #bind}. */
  public static String insertCql(String keyspace, String table) {
    return "INSERT INTO " + keyspace + "." + table + " (id, title, first_name, last_name, gender, street, city, state,"
        + " country, postcode, latitude, longitude, timezone_offset, email, username, dob, age,"
        + " registered_at, phone, cell, picture_url, nat, ingested_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }

  /**
   * Binds by index with typed setters: the driver's untyped {@code bind(Object...)} looks every
   * value's codec up through Guava type tokens, a fifth of the driver's CPU in the drain profile.
   */
  public static BoundStatement bind(PreparedStatement insert, UserProfile p) {
    BoundStatement s = insert.bind();
    s.setUUID(0, p.id);
    s.setString(1, p.title);
    s.setString(2, p.firstName);
    s.setString(3, p.lastName);
    s.setString(4, p.gender);
    s.setString(5, p.street);
    s.setString(6, p.city);
    s.setString(7, p.state);
    s.setString(8, p.country);
    s.setString(9, p.postcode);
    setDouble(s, 10, p.latitude);
    setDouble(s, 11, p.longitude);
    s.setString(12, p.timezoneOffset);
    s.setString(13, p.email);
    s.setString(14, p.username);
    s.setTimestamp(15, date(p.dob));
    if (p.age == null) {
      s.setToNull(16);
    } else {
      s.setInt(16, p.age);
    }
    s.setTimestamp(17, date(p.registeredAt));
    s.setString(18, p.phone);
    s.setString(19, p.cell);
    s.setString(20, p.pictureUrl);
    s.setString(21, p.nat);
    s.setTimestamp(22, date(p.ingestedAt));
    s.setIdempotent(true);
    return s;
  }

  private static void setDouble(BoundStatement s, int i, Double v) {
    if (v == null) {
      s.setToNull(i);
    } else {
      s.setDouble(i, v);
    }
  }

  private static Date date(Instant i) {
    return i == null ? null : Date.from(i);
  }

  private static final class UpsertFn extends DoFn<UserProfile, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UpsertFn.class);

    private final CassandraEndpoint endpoint;
    private final String table;
    private final int maxInFlight;
    private final Counter written = Metrics.counter(StreamMetrics.NAMESPACE, StreamMetrics.WRITTEN);

    private transient SharedCassandraSession.Lease lease;
    private transient PreparedStatement insert;
    private transient ArrayDeque<Pending> inFlight;

    UpsertFn(CassandraEndpoint endpoint, String table, int maxInFlight) {
      this.endpoint = endpoint;
      this.table = table;
      this.maxInFlight = maxInFlight;
    }

    @Setup
    public void setup() {
      lease = SharedCassandraSession.lease(endpoint);
      insert = lease.prepare(insertCql(endpoint.keyspace, table));
      inFlight = new ArrayDeque<>();
    }

    @ProcessElement
    public void processElement(@Element UserProfile profile) throws InterruptedException {
      if (inFlight.size() >= maxInFlight) {
        awaitOldest();
      }
      BoundStatement s = bind(insert, profile);
      inFlight.add(new Pending(s, lease.session().executeAsync(s)));
    }

    @FinishBundle
    public void finishBundle() throws InterruptedException {
      while (!inFlight.isEmpty()) {
        awaitOldest();
      }
    }

    private void awaitOldest() throws InterruptedException {
      Pending p = inFlight.poll();
      Session session = lease.session();
      ResultSetFuture future = p.future;
      for (int attempt = 1; ; attempt++) {
        try {
          future.getUninterruptibly();
          written.inc();
          return;
        } catch (DriverException e) {
          if (attempt >= MAX_ATTEMPTS) {
            throw new IllegalStateException(
                "Cassandra upsert into " + endpoint.keyspace + "." + table + " failed " + attempt
                    + " times; failing the bundle so it is retried: " + e.getMessage(), e);
          }
          long backoffMillis = 200L << attempt;
          LOG.warn("Cassandra upsert failed (attempt {} of {}), retrying in {} ms: {}",
              attempt, MAX_ATTEMPTS, backoffMillis, e.getMessage());
          Thread.sleep(backoffMillis);
          future = session.executeAsync(p.statement);
        }
      }
    }

    @Teardown
    public void teardown() {
      if (lease != null) {
        lease.close();
      }
    }

    private static final class Pending {
      final BoundStatement statement;
      final ResultSetFuture future;

      Pending(BoundStatement statement, ResultSetFuture future) {
        this.statement = statement;
        this.future = future;
      }
    }
  }
}
