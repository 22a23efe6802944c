package dev.userstream.stream;

import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.model.DeadLetter;
import dev.userstream.model.UserProfile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores every outcome and only then commits its offset: profiles are upserted into Cassandra
 * ({@link dev.userstream.cassandra.ProfileUpsert}); once every upsert of the bundle is
 * acknowledged, each input partition's dead letters and the consumer group's offset past its
 * records commit together in one Kafka transaction ({@link dev.userstream.kafka.PartitionTransactions}).
 * A job killed at any moment (SIGKILL, a lost executor, a power cut) restarts from the last
 * committed offsets and redoes at most the bundles in flight: the upserts overwrite the same rows
 * and the dead letters of an uncommitted transaction are never seen by readers that read
 * committed, so nothing is lost and nothing is stored twice.
 *
 * <p>Why one step for both kinds, not a write per tagged output: an offset can be committed only
 * when every record before it is stored, whichever way it went. So one step must see every record
 * of a partition, in offset order, and commit past the last of a bundle only once all earlier
 * bundles have committed. Both runners give that, each its own way:
 * <ul>
 *   <li>Spark runner: each of a micro-batch's Kafka splits is one bundle, read in offset order, and
 *       a micro-batch starts only once the one before it has finished.
 *   <li>Flink runner: one reader subtask owns a partition for the job's life, and the steps up to
 *       this one are chained to it (forward connections, no shuffle), so a partition's records
 *       arrive in offset order in one instance of this step. Flink cuts bundles by count and time
 *       ({@code --maxBundleSize}, {@code --maxBundleTimeMills}), each finished on the task's own
 *       thread before the next starts; a bundle may mix partitions, hence the offset per partition.
 *       The job runs without Flink checkpoints ({@code FlinkStreamPipeline} refuses them): a
 *       restart, Flink's own after a failure included, reads from the offsets committed here.
 * </ul>
 *
 * <p>Upserts are sent in groups ({@link #withSendGroup}): held back until a group is full or the
 * bundle ends, then sent back to back. Cassandra's request thread pools spin-park for a while after
 * each task that finds no next one: sent one by one as records were processed, a fraction of a
 * millisecond apart, upserts kept them spinning for a third of Cassandra's CPU in the drain
 * (docs/PERFORMANCE.md).
 *
 * <p>Outages are waited out: a write or commit that fails is retried with backoff for up to
 * {@code retrySeconds}, so a Cassandra or Kafka restart pauses the stream rather than failing it.
 * Past that the bundle fails, with nothing committed for it.
 *
 * <p>The clients come from a {@link StoreClients.Factory}: {@link CassandraKafkaClients} with
 * {@link #to}, fakes in the unit tests with {@link #through}.
 *
 * <pre>{@code
 * outcomes.apply("StoreOutcomes", StoreOutcomes.to(cassandra, "users", "127.0.0.1:19092", "users.dlq", "userstream-stream"));
 * }</pre>
 */
public final class StoreOutcomes extends PTransform<PCollection<Outcome<UserProfile>>, PDone> {
  private static final long serialVersionUID = 1L;
  /** Upserts sent together by default ({@link #withSendGroup}). */
  public static final int DEFAULT_SEND_GROUP = 64;

  private final StoreClients.Factory clients;
  private final int maxInFlight;
  private final int sendGroup;
  private final long retrySeconds;

  private StoreOutcomes(StoreClients.Factory clients, int maxInFlight, int sendGroup, long retrySeconds) {
    this.clients = clients;
    this.maxInFlight = maxInFlight;
    this.sendGroup = sendGroup;
    this.retrySeconds = retrySeconds;
  }

  /** Upserts into {@code cassandra}'s {@code table}; dead letters and offsets go to Kafka. */
  public static StoreOutcomes to(CassandraEndpoint cassandra, String table, String bootstrapServers,
      String deadLetterTopic, String consumerGroup) {
    return through(
        new CassandraKafkaClients.Settings(cassandra, table, bootstrapServers, deadLetterTopic, consumerGroup));
  }

  /** Stores through other clients (fakes, in unit tests), in the same order and with the same retries. */
  public static StoreOutcomes through(StoreClients.Factory clients) {
    return new StoreOutcomes(clients, 256, DEFAULT_SEND_GROUP, 300);
  }

  /** Bounds the unacknowledged upserts of one DoFn instance. */
  public StoreOutcomes withMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    return new StoreOutcomes(clients, maxInFlight, sendGroup, retrySeconds);
  }

  /** Holds upserts back until this many are ready (or the bundle ends), then sends them back to back. */
  public StoreOutcomes withSendGroup(int sendGroup) {
    if (sendGroup < 1) {
      throw new IllegalArgumentException("sendGroup must be at least 1, got " + sendGroup);
    }
    return new StoreOutcomes(clients, maxInFlight, sendGroup, retrySeconds);
  }

  /** How long a failing write or commit is retried before the bundle fails. */
  public StoreOutcomes withRetrySeconds(long retrySeconds) {
    if (retrySeconds < 0) {
      throw new IllegalArgumentException("retrySeconds must not be negative, got " + retrySeconds);
    }
    return new StoreOutcomes(clients, maxInFlight, sendGroup, retrySeconds);
  }

  @Override
  public PDone expand(PCollection<Outcome<UserProfile>> outcomes) {
    outcomes.apply("WriteAndCommit", ParDo.of(new StoreFn(this)));
    return PDone.in(outcomes.getPipeline());
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

    private transient StoreClients clients;
    private transient ArrayDeque<PendingUpsert> upserts;
    /** Profiles of the bundle not sent yet: fewer than a send group. */
    private transient List<UserProfile> unsent;
    private transient Map<TopicPartition, List<DeadLetter>> letters;
    private transient Map<TopicPartition, Long> nextOffsets;

    StoreFn(StoreOutcomes spec) {
      this.spec = spec;
    }

    @Setup
    public void setup() {
      clients = spec.clients.open();
    }

    @StartBundle
    public void startBundle() {
      upserts = new ArrayDeque<>();
      unsent = new ArrayList<>(spec.sendGroup);
      letters = new HashMap<>();
      nextOffsets = new TreeMap<>(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    }

    @ProcessElement
    public void processElement(@Element Outcome<UserProfile> o) throws InterruptedException {
      TopicPartition source = new TopicPartition(o.topic, o.partition);
      nextOffsets.merge(source, o.offset + 1, Math::max);
      if (o.isRejected()) {
        letters.computeIfAbsent(source, tp -> new ArrayList<>()).add(o.deadLetter);
        return;
      }
      unsent.add(o.value);
      if (unsent.size() >= spec.sendGroup) {
        sendUnsent(deadline());
      }
    }

    /** Sends the held-back upserts back to back, waiting for the oldest ones past {@code maxInFlight}. */
    private void sendUnsent(long deadline) throws InterruptedException {
      for (UserProfile profile : unsent) {
        if (upserts.size() >= spec.maxInFlight) {
          awaitOldestUpsert(deadline);
        }
        upserts.add(new PendingUpsert(profile, clients.upsert(profile)));
      }
      unsent.clear();
    }

    @FinishBundle
    public void finishBundle() throws Exception {
      long deadline = deadline();
      sendUnsent(deadline);
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
      Future<?> future = p.future;
      for (int attempt = 1; ; attempt++) {
        try {
          future.get();
          written.inc();
          return;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          backoff("Upsert of profile " + p.profile.id + " into " + spec.clients.describe(), attempt, deadline, cause);
          future = clients.upsert(p.profile);
        }
      }
    }

    /** The partition's dead letters and the group's offset past its records, in one transaction. */
    private void commit(TopicPartition source, List<DeadLetter> partitionLetters, long next, long deadline)
        throws InterruptedException {
      for (int attempt = 1; ; attempt++) {
        try {
          clients.commit(source, partitionLetters, next);
          deadLettered.inc(partitionLetters.size());
          return;
        } catch (org.apache.kafka.common.errors.InterruptException e) {
          throw e;
        } catch (KafkaException e) {
          backoff("Transaction of " + partitionLetters.size() + " dead letters and the offset " + next + " of "
              + source + " (" + spec.clients.describe() + ")", attempt, deadline, e);
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
      if (clients != null) {
        clients.close();
      }
    }

    private record PendingUpsert(UserProfile profile, Future<?> future) {}
  }
}
