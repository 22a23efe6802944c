package dev.userstream.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group is behind a topic: the one definition that {@code Report}, the health
 * DAG, the console and the tests share.
 */
public final class ConsumerLag {
  private ConsumerLag() {}

  /**
   * The records of a partition the group has not committed past: end minus committed offset. A
   * partition the group never committed lags by every record it still holds (end minus start, so
   * that records already deleted by retention do not count). Never negative.
   */
  public static long ofPartition(OffsetAndMetadata committed, long start, long end) {
    return Math.max(0, end - (committed == null ? start : committed.offset()));
  }

  /** The group's lag on each partition of {@code topic}. */
  public static Map<TopicPartition, Long> byPartition(Admin admin, String group, String topic)
      throws ExecutionException, InterruptedException {
    List<TopicPartition> partitions =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .collect(Collectors.toList());
    Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.earliest());
    Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, Long> lag = new HashMap<>();
    for (TopicPartition tp : partitions) {
      lag.put(tp, ofPartition(committed.get(tp), starts.getOrDefault(tp, 0L), ends.getOrDefault(tp, 0L)));
    }
    return lag;
  }

  /** The group's lag on {@code topic}, summed over its partitions. */
  public static long of(Admin admin, String group, String topic) throws ExecutionException, InterruptedException {
    return byPartition(admin, group, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(request).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
