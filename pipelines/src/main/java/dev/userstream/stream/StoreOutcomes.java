package dev.userstream.stream;

import com.datastax.driver.core.BoundStatement;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ResultSetFuture;
import com.datastax.driver.core.exceptions.DriverException;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.ProfileUpsert;
import dev.userstream.cassandra.SharedCassandraSession;
import dev.userstream.kafka.DeadLetterRecords;
import dev.userstream.kafka.GroupOffsets;
import dev.userstream.kafka.SharedKafkaClients;
import dev.userstream.model.UserProfile;
import dev.userstream.shared.SharedClients;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores every outcome and only then commits its offset: profiles are upserted into Cassandra
 * ({@link ProfileUpsert}), dead letters sent to the dead-letter topic ({@link DeadLetterRecords}),
 * and when every write of the bundle is acknowledged the consumer group's offsets move past the
 * bundle's records. A job killed at any moment (SIGKILL, a lost executor, a power cut) restarts
 * from the last committed offsets and redoes at most the bundles in flight: the upserts overwrite
 * the same rows, so nothing is lost and no row is duplicated (a dead letter may be sent twice).
 *
 * <p>Why one step for both kinds, not a write per tagged output: an offset can be committed only
 * when every record before it is stored, whichever way it went. The Spark runner runs each of a
 * micro-batch's Kafka splits as one bundle, in offset order, so one step sees all of them.
 *
 * <p>Outages are waited out: a write or commit that fails is retried with backoff for up to
 * {@code retrySeconds}, so a Cassandra or Kafka restart pauses the stream rather than failing it.
 * Past that the bundle fails, with nothing committed for it.
 *
 * <pre>{@code
 * outcomes.apply("StoreOutcomes", StoreOutcomes.to(cassandra, "users", "127.0.0.1:19092", "users.dlq", "userstream-stream"));
 * }</pre>
 */
public final class StoreOutcomes extends PTransform<PCollection<Outcome<UserProfile>>, PDone> {
  private static final long serialVersionUID = 1L;

  private final CassandraEndpoint cassandra;
  private final String table;
  private final String bootstrapServers;
  private final String deadLetterTopic;
  private final String consumerGroup;
  private final int maxInFlight;
  private final long retrySeconds;

  private StoreOutcomes(CassandraEndpoint cassandra, String table, String bootstrapServers,
      String deadLetterTopic, String consumerGroup, int maxInFlight, long retrySeconds) {
    this.cassandra = cassandra;
    this.table = ProfileUpsert.requireTableName(table);
    this.bootstrapServers = requireText("bootstrapServers", bootstrapServers);
    this.deadLetterTopic = requireText("deadLetterTopic", deadLetterTopic);
    this.consumerGroup = requireText("consumerGroup", consumerGroup);
    this.maxInFlight = maxInFlight;
    this.retrySeconds = retrySeconds;
  }

  public static StoreOutcomes to(CassandraEndpoint cassandra, String table, String bootstrapServers,
      String deadLetterTopic, String consumerGroup) {
    return new StoreOutcomes(cassandra, table, bootstrapServers, deadLetterTopic, consumerGroup, 256, 300);
  }

  /** Bounds the unacknowledged Cassandra writes of one DoFn instance. */
  public StoreOutcomes withMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    return new StoreOutcomes(cassandra, table, bootstrapServers, deadLetterTopic, consumerGroup, maxInFlight, retrySeconds);
  }

  /** How long a failing write or commit is retried before the bundle fails. */
  public StoreOutcomes withRetrySeconds(long retrySeconds) {
    if (retrySeconds < 0) {
      throw new IllegalArgumentException("retrySeconds must not be negative, got " + retrySeconds);
    }
    return new StoreOutcomes(cassandra, table, bootstrapServers, deadLetterTopic, consumerGroup, maxInFlight, retrySeconds);
  }

  @Override
  public PDone expand(PCollection<Outcome<UserProfile>> outcomes) {
    outcomes.apply("WriteAndCommit", ParDo.of(new StoreFn(this)));
    return PDone.in(outcomes.getPipeline());
  }

  private static String requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must be set");
    }
    return value;
  }

  private static final class StoreFn extends DoFn<Outcome<UserProfile>, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StoreFn.class);
    /** Backoff between attempts: doubling from this, up to {@link #MAX_BACKOFF_MILLIS}. */
    private static final long FIRST_BACKOFF_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final StoreOutcomes spec;
    private final Counter written = Metrics.counter(StreamMetrics.NAMESPACE, StreamMetrics.WRITTEN);
    private final Counter deadLettered = Metrics.counter(StreamMetrics.NAMESPACE, StreamMetrics.DEAD_LETTERED);

    private transient SharedCassandraSession.Lease session;
    private transient SharedClients.Lease<KafkaProducer<byte[], byte[]>> producer;
    private transient SharedClients.Lease<Admin> admin;
    private transient PreparedStatement insert;
    private transient ArrayDeque<PendingUpsert> upserts;
    private transient List<PendingLetter> letters;
    private transient Map<TopicPartition, Long> nextOffsets;

    StoreFn(StoreOutcomes spec) {
      this.spec = spec;
    }

    @Setup
    public void setup() {
      session = SharedCassandraSession.lease(spec.cassandra);
      insert = session.prepare(ProfileUpsert.insertCql(spec.cassandra.keyspace, spec.table));
      producer = SharedKafkaClients.deadLetterProducer(spec.bootstrapServers);
      admin = SharedKafkaClients.admin(spec.bootstrapServers);
    }

    @StartBundle
    public void startBundle() {
      upserts = new ArrayDeque<>();
      letters = new ArrayList<>();
      nextOffsets = new HashMap<>();
    }

    @ProcessElement
    public void processElement(@Element Outcome<UserProfile> o) throws InterruptedException {
      nextOffsets.merge(new TopicPartition(o.topic, o.partition), o.offset + 1, Math::max);
      if (o.isRejected()) {
        ProducerRecord<byte[], byte[]> r = DeadLetterRecords.toProducerRecord(spec.deadLetterTopic, o.deadLetter);
        letters.add(new PendingLetter(r, producer.client().send(r)));
        return;
      }
      if (upserts.size() >= spec.maxInFlight) {
        awaitOldestUpsert(deadline());
      }
      BoundStatement s = ProfileUpsert.bind(insert, o.value);
      upserts.add(new PendingUpsert(s, session.session().executeAsync(s)));
    }

    @FinishBundle
    public void finishBundle() throws Exception {
      long deadline = deadline();
      while (!upserts.isEmpty()) {
        awaitOldestUpsert(deadline);
      }
      for (PendingLetter l : letters) {
        awaitLetter(l, deadline);
      }
      letters.clear();
      commitOffsets(deadline);
    }

    private long deadline() {
      return System.nanoTime() + TimeUnit.SECONDS.toNanos(spec.retrySeconds);
    }

    private void awaitOldestUpsert(long deadline) throws InterruptedException {
      PendingUpsert p = upserts.poll();
      ResultSetFuture future = p.future;
      for (int attempt = 1; ; attempt++) {
        try {
          future.getUninterruptibly();
          written.inc();
          return;
        } catch (DriverException e) {
          backoff("Cassandra upsert into " + spec.cassandra.keyspace + "." + spec.table, attempt, deadline, e);
          future = session.session().executeAsync(p.statement);
        }
      }
    }

    private void awaitLetter(PendingLetter l, long deadline) throws InterruptedException {
      Future<RecordMetadata> future = l.future;
      for (int attempt = 1; ; attempt++) {
        try {
          future.get();
          deadLettered.inc();
          return;
        } catch (ExecutionException e) {
          backoff("Dead letter to " + spec.deadLetterTopic, attempt, deadline, e.getCause());
          future = producer.client().send(l.record);
        }
      }
    }

    private void commitOffsets(long deadline) throws InterruptedException {
      for (int attempt = 1; ; attempt++) {
        try {
          long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
          GroupOffsets.commit(admin.client(), spec.consumerGroup, nextOffsets, Math.min(left, 30_000));
          return;
        } catch (ExecutionException | TimeoutException e) {
          backoff("Offset commit for group " + spec.consumerGroup, attempt, deadline,
              e instanceof ExecutionException ? e.getCause() : e);
        }
      }
    }

    /**
     * Waits before the next attempt, or fails the bundle (nothing of it committed) once the
     * deadline has passed. Logs the first failure and then one in ten, not every attempt.
     */
    private static void backoff(String what, int attempt, long deadline, Throwable error)
        throws InterruptedException {
      if (System.nanoTime() >= deadline) {
        throw new IllegalStateException(
            what + " kept failing for the whole retry budget (" + attempt
                + " attempts); failing the micro-batch, whose offsets stay uncommitted: " + error.getMessage(), error);
      }
      long backoffMillis = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(attempt, 10));
      if (attempt == 1 || attempt % 10 == 0) {
        LOG.warn("{} failed (attempt {}), retrying every {} ms at most until the retry budget is spent: {}",
            what, attempt, backoffMillis, error.getMessage());
      }
      Thread.sleep(backoffMillis);
    }

    @Teardown
    public void teardown() {
      for (AutoCloseable c : new AutoCloseable[] {session, producer, admin}) {
        if (c != null) {
          try {
            c.close();
          } catch (Exception e) {
            LOG.warn("Releasing a shared client failed", e);
          }
        }
      }
    }

    private static final class PendingUpsert {
      final BoundStatement statement;
      final ResultSetFuture future;

      PendingUpsert(BoundStatement statement, ResultSetFuture future) {
        this.statement = statement;
        this.future = future;
      }
    }

    private static final class PendingLetter {
      final ProducerRecord<byte[], byte[]> record;
      final Future<RecordMetadata> future;

      PendingLetter(ProducerRecord<byte[], byte[]> record, Future<RecordMetadata> future) {
        this.record = record;
        this.future = future;
      }
    }
  }
}
