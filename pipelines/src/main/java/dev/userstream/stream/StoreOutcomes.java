package dev.userstream.stream;

import com.datastax.driver.core.BoundStatement;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ResultSetFuture;
import com.datastax.driver.core.exceptions.DriverException;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.ProfileUpsert;
import dev.userstream.cassandra.SharedCassandraSession;
import dev.userstream.kafka.DeadLetterRecords;
import dev.userstream.kafka.PartitionTransactions;
import dev.userstream.kafka.SharedKafkaClients;
import dev.userstream.model.UserProfile;
import dev.userstream.shared.SharedClients;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores every outcome and only then commits its offset: profiles are upserted into Cassandra
 * ({@link ProfileUpsert}); once every upsert of the bundle is acknowledged, each input partition's
 * dead letters ({@link DeadLetterRecords}) and the consumer group's offset past its records commit
 * together in one Kafka transaction ({@link PartitionTransactions}). A job killed at any moment
 * (SIGKILL, a lost executor, a power cut) restarts from the last committed offsets and redoes at
 * most the bundles in flight: the upserts overwrite the same rows and the dead letters of an
 * uncommitted transaction are never seen by readers that read committed, so nothing is lost and
 * nothing is stored twice.
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
    /** Leased on a partition's first record, returned at teardown. */
    private transient Map<TopicPartition, SharedClients.Lease<PartitionTransactions>> transactions;
    private transient PreparedStatement insert;
    private transient ArrayDeque<PendingUpsert> upserts;
    private transient Map<TopicPartition, List<ProducerRecord<byte[], byte[]>>> letters;
    private transient Map<TopicPartition, Long> nextOffsets;

    StoreFn(StoreOutcomes spec) {
      this.spec = spec;
    }

    @Setup
    public void setup() {
      session = SharedCassandraSession.lease(spec.cassandra);
      insert = session.prepare(ProfileUpsert.insertCql(spec.cassandra.keyspace, spec.table));
      transactions = new HashMap<>();
    }

    @StartBundle
    public void startBundle() {
      upserts = new ArrayDeque<>();
      letters = new HashMap<>();
      nextOffsets = new TreeMap<>(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    }

    @ProcessElement
    public void processElement(@Element Outcome<UserProfile> o) throws InterruptedException {
      TopicPartition source = new TopicPartition(o.topic, o.partition);
      nextOffsets.merge(source, o.offset + 1, Math::max);
      if (o.isRejected()) {
        letters.computeIfAbsent(source, tp -> new ArrayList<>())
            .add(DeadLetterRecords.toProducerRecord(spec.deadLetterTopic, o.deadLetter));
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
      for (Map.Entry<TopicPartition, Long> next : nextOffsets.entrySet()) {
        commit(next.getKey(), letters.getOrDefault(next.getKey(), List.of()), next.getValue(), deadline);
      }
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

    /** The partition's dead letters and the group's offset past its records, in one transaction. */
    private void commit(TopicPartition source, List<ProducerRecord<byte[], byte[]>> partitionLetters, long next,
        long deadline) throws InterruptedException {
      PartitionTransactions tx = transactions
          .computeIfAbsent(source, tp -> SharedKafkaClients.transactions(spec.bootstrapServers, spec.consumerGroup, tp))
          .client();
      for (int attempt = 1; ; attempt++) {
        try {
          tx.commit(partitionLetters, next);
          deadLettered.inc(partitionLetters.size());
          return;
        } catch (org.apache.kafka.common.errors.InterruptException e) {
          throw e;
        } catch (KafkaException e) {
          backoff("Transaction of " + partitionLetters.size() + " dead letters to " + spec.deadLetterTopic
              + " and the offset of " + source + " for group " + spec.consumerGroup, attempt, deadline, e);
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
      List<AutoCloseable> leases = new ArrayList<>(transactions == null ? List.of() : transactions.values());
      leases.add(session);
      for (AutoCloseable c : leases) {
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
  }
}
