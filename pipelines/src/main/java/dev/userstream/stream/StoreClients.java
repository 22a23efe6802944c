package dev.userstream.stream;

import dev.userstream.model.DeadLetter;
import dev.userstream.model.UserProfile;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;

/**
 * What {@link StoreOutcomes} writes through: the profile store and the per-partition transactions
 * of dead letters and offsets. Opened by a {@link Factory} in {@code @Setup}, closed in
 * {@code @Teardown}. The product's are {@link CassandraKafkaClients}; unit tests put fakes in with
 * {@link StoreOutcomes#withClients}. {@link StoreOutcomes} owns the order (a partition's commit only
 * after every upsert before it is acknowledged) and the retries; the clients only do one attempt.
 */
public interface StoreClients extends AutoCloseable {

  /**
   * Starts one upsert of {@code profile}; the future completes when the store has acknowledged
   * it, or fails. Calling again for the same profile is a retry: it overwrites the same row.
   */
  Future<?> upsert(UserProfile profile);

  /**
   * Commits {@code letters} (the dead letters of {@code source}'s records) and the consumer
   * group's offset of {@code source} at {@code nextOffset}, both or neither; returns once
   * committed. Throws a {@link org.apache.kafka.common.KafkaException} when they did not commit
   * (the caller retries) or an {@link org.apache.kafka.common.errors.InterruptException}.
   */
  void commit(TopicPartition source, List<DeadLetter> letters, long nextOffset);

  /** Releases the clients; must not throw. */
  @Override
  void close();

  /** Opens the clients of one DoFn instance; serialised with the pipeline. */
  interface Factory extends Serializable {
    StoreClients open();

    /** What the clients write to, for messages: "Cassandra ks.users, Kafka users.dlq (group g)". */
    String describe();
  }
}
