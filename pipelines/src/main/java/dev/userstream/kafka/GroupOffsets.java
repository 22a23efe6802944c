package dev.userstream.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Commits a consumer group's offsets from outside the group (the streaming job's Kafka readers
 * are assigned partitions, they never join it), and never moves an offset backwards: bundles of
 * one partition may finish out of order on some runners.
 */
public final class GroupOffsets {
  /** The highest offset this JVM committed, per group and partition. */
  private static final Map<String, Long> COMMITTED = new ConcurrentHashMap<>();

  private GroupOffsets() {}

  /**
   * Commits {@code nextOffsets} (partition to the offset of the next record to read) for {@code
   * group}, leaving out those not ahead of what this JVM already committed; returns how many were
   * committed.
   */
  public static int commit(Admin admin, String group, Map<TopicPartition, Long> nextOffsets, long timeoutMillis)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetAndMetadata> ahead = new HashMap<>();
    nextOffsets.forEach((tp, next) -> {
      Long done = COMMITTED.get(key(group, tp));
      if (done == null || next > done) {
        ahead.put(tp, new OffsetAndMetadata(next));
      }
    });
    if (ahead.isEmpty()) {
      return 0;
    }
    admin.alterConsumerGroupOffsets(group, ahead).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
    ahead.forEach((tp, o) -> COMMITTED.merge(key(group, tp), o.offset(), Math::max));
    return ahead.size();
  }

  private static String key(String group, TopicPartition tp) {
    return group + "\u0000" + tp;
  }
}
