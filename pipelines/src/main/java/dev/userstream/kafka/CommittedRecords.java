package dev.userstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what was committed to a topic, as every reader of the dead-letter topic must: the job
 * writes dead letters in transactions, so offsets also hold transaction markers and the letters of
 * aborted transactions, and neither end offsets nor offset differences count letters. Reads with
 * {@code isolation.level=read_committed} up to each partition's last stable offset at the time of
 * the call.
 */
public final class CommittedRecords {
  private CommittedRecords() {}

  /** Every committed record of {@code topic} written at or after {@code sinceMillis} (0: all). */
  public static void forEach(String bootstrapServers, String topic, long sinceMillis, Duration timeout,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrapServers)) {
      List<TopicPartition> partitions = partitions(c, topic);
      Map<TopicPartition, Long> from = new HashMap<>(c.beginningOffsets(partitions));
      if (sinceMillis > 0) {
        Map<TopicPartition, Long> at = new HashMap<>();
        partitions.forEach(tp -> at.put(tp, sinceMillis));
        Map<TopicPartition, Long> ends = c.endOffsets(partitions);
        c.offsetsForTimes(at).forEach((tp, o) -> from.put(tp, o == null ? ends.get(tp) : o.offset()));
      }
      readTo(c, from, timeout, each);
    }
  }

  /** How many committed records {@code topic} holds that were written at or after {@code sinceMillis} (0: all). */
  public static long count(String bootstrapServers, String topic, long sinceMillis, Duration timeout) {
    long[] n = {0};
    forEach(bootstrapServers, topic, sinceMillis, timeout, r -> n[0]++);
    return n[0];
  }

  /** The committed records among the last {@code offsetsPerPartition} offsets of each partition. */
  public static List<ConsumerRecord<byte[], byte[]>> tail(String bootstrapServers, String topic,
      int offsetsPerPartition, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrapServers)) {
      List<TopicPartition> partitions = partitions(c, topic);
      Map<TopicPartition, Long> begins = c.beginningOffsets(partitions);
      Map<TopicPartition, Long> from = new HashMap<>();
      c.endOffsets(partitions).forEach((tp, end) -> from.put(tp, Math.max(begins.get(tp), end - offsetsPerPartition)));
      readTo(c, from, timeout, out::add);
    }
    return out;
  }

  private static void readTo(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> from, Duration timeout,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    // read_committed: the end offsets are the last stable offsets, and positions pass the markers.
    Map<TopicPartition, Long> ends = c.endOffsets(from.keySet());
    c.assign(from.keySet());
    from.forEach(c::seek);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!from.keySet().stream().allMatch(tp -> c.position(tp) >= ends.get(tp))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("reading " + from.keySet() + " to offsets " + ends + " took longer than "
            + timeout.toSeconds() + " s");
      }
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
        if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
          each.accept(r);
        }
      }
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
    return c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 17 * 1024 * 1024);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
