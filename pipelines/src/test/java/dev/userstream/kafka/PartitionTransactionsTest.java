package dev.userstream.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link PartitionTransactions} with Kafka's own MockProducer and MockConsumer: dead letters and
 * the offset commit together, an offset without letters by a plain commit once earlier producers
 * are fenced, offsets never move back, a failed commit is redone by a new
 * producer, and one whose outcome is unknown is redone only if it did not go through.
 */
@RunWith(JUnit4.class)
public class PartitionTransactionsTest {
  private static final TopicPartition SOURCE = new TopicPartition("users.raw", 3);
  private static final String GROUP = "userstream-stream";

  /** Hands out MockProducers, keeping each, and one MockConsumer holding the group's offsets. */
  private static final class MockClients implements PartitionTransactions.ClientFactory {
    final List<MockProducer<byte[], byte[]>> producers = new ArrayList<>();
    final List<Map<String, Object>> producerConfigs = new ArrayList<>();
    /** The group's committed offsets, as the broker has them. */
    final Map<TopicPartition, OffsetAndMetadata> groupOffsets = new HashMap<>();
    /** Plain offset commits (no transaction), each with whether the last producer had fenced by then. */
    final List<Map<TopicPartition, OffsetAndMetadata>> plainCommits = new ArrayList<>();
    final List<Boolean> fencedAtPlainCommit = new ArrayList<>();
    /** What the next producer does: set on it right after it is opened. */
    java.util.function.Consumer<MockProducer<byte[], byte[]>> nextProducer = p -> {};

    @Override
    public Producer<byte[], byte[]> producer(Map<String, Object> config) {
      MockProducer<byte[], byte[]> p = new MockProducer<>(true, new ByteArraySerializer(), new ByteArraySerializer());
      nextProducer.accept(p);
      nextProducer = q -> {};
      producers.add(p);
      producerConfigs.add(config);
      return p;
    }

    @Override
    public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
      assertThat(config, hasEntry(ConsumerConfig.GROUP_ID_CONFIG, GROUP));
      return new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
        @Override
        public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions,
            Duration timeout) {
          Map<TopicPartition, OffsetAndMetadata> found = new HashMap<>(groupOffsets);
          found.keySet().retainAll(partitions);
          return found;
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
          plainCommits.add(Map.copyOf(offsets));
          fencedAtPlainCommit.add(!producers.isEmpty() && last().transactionInitialized());
          groupOffsets.putAll(offsets);
        }
      };
    }

    MockProducer<byte[], byte[]> last() {
      return producers.get(producers.size() - 1);
    }
  }

  private final MockClients clients = new MockClients();
  private final PartitionTransactions tx = new PartitionTransactions("127.0.0.1:1", GROUP, SOURCE, clients);

  @Test
  public void lettersAndTheOffsetCommitInOneTransactionUnderTheGroupsAndPartitionsId() {
    tx.commit(List.of(letter("a"), letter("b")), 42);

    MockProducer<byte[], byte[]> p = clients.last();
    assertThat(p.transactionCommitted(), equalTo(true));
    assertThat(values(p.history()), contains("a", "b"));
    assertThat(p.consumerGroupOffsetsHistory(), contains(Map.of(GROUP, Map.of(SOURCE, new OffsetAndMetadata(42)))));
    Map<String, Object> config = clients.producerConfigs.get(0);
    assertThat(config, hasEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "userstream-userstream-stream-users.raw-3"));
    assertThat(config, hasEntry(ProducerConfig.ACKS_CONFIG, "all"));
  }

  @Test
  public void theOffsetNeverMovesBackAndNothingToCommitStartsNoTransaction() {
    tx.commit(List.of(), 100);
    tx.commit(List.of(), 60); // a bundle that finished late (the DirectRunner)
    tx.commit(List.of(letter("late")), 80);

    MockProducer<byte[], byte[]> p = clients.last();
    assertThat(clients.producers.size(), equalTo(1));
    assertThat("only the first moved the offset", clients.plainCommits,
        contains(Map.of(SOURCE, new OffsetAndMetadata(100))));
    assertThat(p.consumerGroupOffsetsHistory(), empty());
    assertThat("the late bundle's letter still commits", values(p.history()), contains("late"));
  }

  @Test
  public void anOffsetWithoutLettersCommitsWithoutATransactionOnceEarlierProducersAreFenced() {
    tx.commit(List.of(), 42);
    tx.commit(List.of(letter("a")), 50);
    tx.commit(List.of(), 64);

    MockProducer<byte[], byte[]> p = clients.last();
    assertThat(clients.producers.size(), equalTo(1));
    assertThat(clients.plainCommits, contains(Map.of(SOURCE, new OffsetAndMetadata(42)),
        Map.of(SOURCE, new OffsetAndMetadata(64))));
    // initTransactions settles what a crashed job's producer left open before any plain commit:
    // an open transaction of an older offset could otherwise commit after it.
    assertThat(clients.fencedAtPlainCommit, contains(true, true));
    assertThat("the letter and its offset in one transaction", p.consumerGroupOffsetsHistory(),
        contains(Map.of(GROUP, Map.of(SOURCE, new OffsetAndMetadata(50)))));
    assertThat(clients.groupOffsets.get(SOURCE), equalTo(new OffsetAndMetadata(64)));
  }

  @Test
  public void aFailedTransactionLeavesNothingAndTheRetryOpensANewProducer() {
    clients.nextProducer = p -> p.sendOffsetsToTransactionException = new KafkaException("broker away");
    assertThrows(KafkaException.class, () -> tx.commit(List.of(letter("x")), 10));
    MockProducer<byte[], byte[]> failed = clients.last();
    assertThat(failed.closed(), equalTo(true));
    assertThat("nothing of the failed transaction is committed", failed.history(), empty());

    tx.commit(List.of(letter("x")), 10);

    MockProducer<byte[], byte[]> retried = clients.last();
    assertThat(clients.producers.size(), equalTo(2));
    assertThat(retried.transactionInitialized(), equalTo(true));
    assertThat(values(retried.history()), contains("x"));
    assertThat(retried.consumerGroupOffsetsHistory(), contains(Map.of(GROUP, Map.of(SOURCE, new OffsetAndMetadata(10)))));
  }

  @Test
  public void aCommitWhoseOutcomeWasUnknownButWentThroughIsNotRepeated() {
    clients.nextProducer = p -> p.commitTransactionException = new TimeoutException("no answer from the coordinator");
    assertThrows(TimeoutException.class, () -> tx.commit(List.of(letter("once")), 10));
    // The broker had committed it after all: the group's offset says so.
    clients.groupOffsets.put(SOURCE, new OffsetAndMetadata(10));

    tx.commit(List.of(letter("once")), 10);
    tx.commit(List.of(), 10);

    MockProducer<byte[], byte[]> retried = clients.last();
    assertThat(clients.producers.size(), equalTo(2));
    assertThat("the letter is not sent a second time", retried.history(), empty());
    assertThat(retried.consumerGroupOffsetsHistory(), empty());
  }

  @Test
  public void aCommitWhoseOutcomeWasUnknownAndDidNotGoThroughIsRedone() {
    clients.nextProducer = p -> p.commitTransactionException = new TimeoutException("no answer from the coordinator");
    assertThrows(TimeoutException.class, () -> tx.commit(List.of(letter("again")), 10));
    clients.groupOffsets.put(SOURCE, new OffsetAndMetadata(4)); // an older commit

    tx.commit(List.of(letter("again")), 10);

    MockProducer<byte[], byte[]> retried = clients.last();
    assertThat(values(retried.history()), contains("again"));
    assertThat(retried.consumerGroupOffsetsHistory(), contains(Map.of(GROUP, Map.of(SOURCE, new OffsetAndMetadata(10)))));
  }

  private static ProducerRecord<byte[], byte[]> letter(String value) {
    return new ProducerRecord<>("users.dlq", null, value.getBytes(UTF_8));
  }

  private static List<String> values(List<ProducerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> new String(r.value(), UTF_8)).toList();
  }
}
