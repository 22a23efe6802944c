package dev.userstream.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits what the streaming job owes Kafka for one input partition: the dead letters of its
 * records and the consumer group's offset past them, in one Kafka transaction
 * ({@code sendOffsetsToTransaction}). A crash at any point commits both or neither, so a restart
 * neither loses a dead letter nor writes one twice; readers of the dead-letter topic read
 * committed.
 *
 * <p>The transactional id is the group's and the partition's ({@code userstream-<group>-<topic>-<partition>}):
 * a partition is read by one task at a time, so no two live producers share an id, and a restarted
 * job's producer for the partition fences the one a crashed job left behind (aborting its open
 * transaction) as soon as it starts. An open transaction that nobody takes over is aborted by the
 * broker after {@link #TRANSACTION_TIMEOUT}; until then the partition's committed offset is
 * unsettled and a reader starting on it waits.
 *
 * <p>A commit with no dead letters moves the offset with a plain offset commit instead: one round
 * trip to the group coordinator, where a transaction takes three and writes markers (measured on
 * the stack's broker: 7 ms against 25 to 47 ms per commit, and it is paid per partition per
 * bundle). That is safe because it comes only after this object's producer has run
 * {@code initTransactions}, which settles whatever transaction an earlier producer of the
 * partition left open: nothing can then commit an older offset after this one.
 *
 * <p>Thread-safe: one commit at a time per partition. A commit that fails leaves the producer
 * closed; the next commit opens a new one (which aborts whatever the old one left open, or
 * finishes its commit if that had begun), so the caller retries by calling again. A failure inside
 * {@code commitTransaction} (a broker restarting, a timeout) leaves the outcome unknown: the retry
 * then first reads the group's committed offset, and if the failed commit went through after all
 * it is not repeated (the offset and the letters commit together, so the offset says). Offsets
 * never move backwards: bundles of one partition may finish out of order on some runners (the
 * DirectRunner), and an offset at or behind the one committed is left out.
 */
public final class PartitionTransactions {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionTransactions.class);
  /** Longer than a commit takes (the writes it guards are done before it begins). */
  static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Opens the Kafka clients: {@link #KAFKA} the real ones; unit tests Kafka's own
   * {@code MockProducer} and {@code MockConsumer}.
   */
  interface ClientFactory {
    Producer<byte[], byte[]> producer(Map<String, Object> config);

    Consumer<byte[], byte[]> consumer(Map<String, Object> config);
  }

  static final ClientFactory KAFKA = new ClientFactory() {
    @Override
    public Producer<byte[], byte[]> producer(Map<String, Object> config) {
      return new KafkaProducer<>(config);
    }

    @Override
    public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
      return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
  };

  private final String bootstrapServers;
  private final String group;
  private final TopicPartition source;
  private final String transactionalId;
  private final ClientFactory clients;
  private Producer<byte[], byte[]> producer;
  /** Commits offsets that come without dead letters; open while {@link #producer} is. */
  private Consumer<byte[], byte[]> offsets;
  private long committedNext = -1;
  /** The last commitTransaction failed: it may or may not have gone through. */
  private boolean outcomeUnknown;

  PartitionTransactions(String bootstrapServers, String group, TopicPartition source) {
    this(bootstrapServers, group, source, KAFKA);
  }

  PartitionTransactions(String bootstrapServers, String group, TopicPartition source, ClientFactory clients) {
    this.bootstrapServers = bootstrapServers;
    this.group = group;
    this.source = source;
    this.transactionalId = transactionalId(group, source);
    this.clients = clients;
  }

  static String transactionalId(String group, TopicPartition source) {
    return "userstream-" + group + "-" + source.topic() + "-" + source.partition();
  }

  /**
   * Sends {@code letters} and moves the group's offset of the partition to {@code nextOffset}, in
   * one transaction; returns when it is committed. Throws (a KafkaException, or an
   * InterruptException) if it is not; nothing of it is then visible to readers that read committed.
   */
  public synchronized void commit(List<ProducerRecord<byte[], byte[]>> letters, long nextOffset) {
    boolean moveOffset = nextOffset > committedNext;
    if (letters.isEmpty() && !moveOffset) {
      return;
    }
    try {
      if (producer == null) {
        producer = clients.producer(producerConfig());
        producer.initTransactions();
      }
      if (outcomeUnknown) {
        // initTransactions above has settled the failed transaction, one way or the other.
        long committed = groupOffset();
        outcomeUnknown = false;
        if (committed >= nextOffset) {
          LOG.info("The commit of {} that failed had gone through (group offset {}); not repeated", source, committed);
          committedNext = Math.max(committedNext, committed);
          return;
        }
      }
      if (letters.isEmpty()) {
        // Only the offset: no transaction needed (see the class comment). Repeating one that
        // failed is harmless, so its outcome never needs settling.
        if (offsets == null) {
          offsets = clients.consumer(consumerConfig());
        }
        offsets.commitSync(Map.of(source, new OffsetAndMetadata(nextOffset)));
        committedNext = nextOffset;
        return;
      }
      producer.beginTransaction();
      for (ProducerRecord<byte[], byte[]> letter : letters) {
        producer.send(letter); // a failed send fails the commit below
      }
      if (moveOffset) {
        producer.sendOffsetsToTransaction(
            Map.of(source, new OffsetAndMetadata(nextOffset)), new ConsumerGroupMetadata(group));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    try {
      producer.commitTransaction();
    } catch (RuntimeException e) {
      outcomeUnknown = moveOffset;
      close();
      throw e;
    }
    if (moveOffset) {
      committedNext = nextOffset;
    }
  }

  /** The group's committed offset of the partition, once no transaction holds it open; -1 if none. */
  private long groupOffset() {
    try (Consumer<byte[], byte[]> c = clients.consumer(consumerConfig())) {
      OffsetAndMetadata o = c.committed(Set.of(source), Duration.ofSeconds(30)).get(source);
      return o == null ? -1 : o.offset();
    }
  }

  /** A consumer of the group that never joins it: it only reads and commits the partition's offset. */
  private Map<String, Object> consumerConfig() {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
  }

  Map<String, Object> producerConfig() {
    Map<String, Object> config = new HashMap<>(DeadLetterRecords.producerConfig(bootstrapServers));
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
    // How long initTransactions, send and commitTransaction may block on a broker that is away;
    // past it the commit fails and the caller retries.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    return config;
  }

  /** Closes the clients without waiting; what the producer left open is aborted by the next one. */
  synchronized void close() {
    if (offsets != null) {
      closeQuietly(offsets::close, "offset committer");
      offsets = null;
    }
    if (producer != null) {
      closeQuietly(producer::close, "transactional producer");
      producer = null;
    }
  }

  private void closeQuietly(java.util.function.Consumer<Duration> close, String what) {
    try {
      close.accept(Duration.ZERO);
    } catch (RuntimeException e) {
      LOG.debug("Closing the {} of {} failed", what, transactionalId, e);
    }
  }

  @Override
  public String toString() {
    return transactionalId + "@" + bootstrapServers;
  }
}
