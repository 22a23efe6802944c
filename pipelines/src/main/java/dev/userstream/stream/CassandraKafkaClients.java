package dev.userstream.stream;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.ProfileUpsert;
import dev.userstream.cassandra.SharedCassandraSession;
import dev.userstream.kafka.DeadLetterRecords;
import dev.userstream.kafka.PartitionTransactions;
import dev.userstream.kafka.SharedKafkaClients;
import dev.userstream.model.DeadLetter;
import dev.userstream.model.UserProfile;
import dev.userstream.shared.SharedClients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product's {@link StoreClients}: upserts into a Cassandra table through the JVM's shared
 * session ({@link SharedCassandraSession}), and commits each input partition's dead letters and
 * offset in its Kafka transaction ({@link PartitionTransactions}, shared per JVM and partition).
 */
public final class CassandraKafkaClients implements StoreClients {
  private static final Logger LOG = LoggerFactory.getLogger(CassandraKafkaClients.class);

  private final Settings settings;
  private final SharedCassandraSession.Lease session;
  private final PreparedStatement insert;
  /** Leased on a partition's first commit, returned at close. */
  private final Map<TopicPartition, SharedClients.Lease<PartitionTransactions>> transactions = new HashMap<>();

  private CassandraKafkaClients(Settings settings) {
    this.settings = settings;
    this.session = SharedCassandraSession.lease(settings.cassandra());
    this.insert = session.prepare(ProfileUpsert.insertCql(settings.cassandra().keyspace, settings.table()));
  }

  /** Where the clients write: a Cassandra table, and a dead-letter topic with the group's offsets. */
  public record Settings(CassandraEndpoint cassandra, String table, String bootstrapServers,
      String deadLetterTopic, String consumerGroup) implements StoreClients.Factory {
    public Settings {
      ProfileUpsert.requireTableName(table);
      requireText("bootstrapServers", bootstrapServers);
      requireText("deadLetterTopic", deadLetterTopic);
      requireText("consumerGroup", consumerGroup);
    }

    @Override
    public StoreClients open() {
      return new CassandraKafkaClients(this);
    }

    @Override
    public String describe() {
      return "Cassandra " + cassandra.keyspace + "." + table + ", Kafka " + deadLetterTopic + " (group "
          + consumerGroup + ")";
    }

    private static void requireText(String name, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " must be set");
      }
    }
  }

  @Override
  public Future<?> upsert(UserProfile profile) {
    return session.session().executeAsync(ProfileUpsert.bind(insert, profile)).toCompletableFuture();
  }

  @Override
  public void commit(TopicPartition source, List<DeadLetter> letters, long nextOffset) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(letters.size());
    for (DeadLetter letter : letters) {
      records.add(DeadLetterRecords.toProducerRecord(settings.deadLetterTopic(), letter));
    }
    transactions
        .computeIfAbsent(source, tp -> SharedKafkaClients.transactions(settings.bootstrapServers(), settings.consumerGroup(), tp))
        .client()
        .commit(records, nextOffset);
  }

  @Override
  public void close() {
    List<AutoCloseable> leases = new ArrayList<>(transactions.values());
    leases.add(session);
    for (AutoCloseable lease : leases) {
      try {
        lease.close();
      } catch (Exception e) {
        LOG.warn("Releasing a shared client failed", e);
      }
    }
    transactions.clear();
  }
}
