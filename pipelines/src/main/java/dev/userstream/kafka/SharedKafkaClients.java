package dev.userstream.kafka;

import dev.userstream.shared.SharedClients;
import org.apache.kafka.common.TopicPartition;

/**
 * The streaming job's Kafka clients, shared per JVM: one {@link PartitionTransactions} per
 * bootstrap servers, consumer group and input partition.
 */
public final class SharedKafkaClients {
  static final long IDLE_CLOSE_MILLIS = 60_000;

  private record TransactionsKey(String bootstrapServers, String group, TopicPartition source) {}

  private static final SharedClients<TransactionsKey, PartitionTransactions> TRANSACTIONS =
      new SharedClients<>(
          "transactional dead-letter producer",
          key -> new PartitionTransactions(key.bootstrapServers(), key.group(), key.source()),
          PartitionTransactions::close,
          IDLE_CLOSE_MILLIS);

  private SharedKafkaClients() {}

  /** The transactions that commit {@code source}'s dead letters and offsets for {@code group}. */
  public static SharedClients.Lease<PartitionTransactions> transactions(
      String bootstrapServers, String group, TopicPartition source) {
    return TRANSACTIONS.lease(new TransactionsKey(bootstrapServers, group, source));
  }
}
