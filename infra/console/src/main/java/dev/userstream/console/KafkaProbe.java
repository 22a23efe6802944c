package dev.userstream.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userstream.kafka.ConsumerLag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Topics, offsets, consumer groups and the tails of topics, from one broker connection. */
final class KafkaProbe implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 5;
  /** Groups listed at most; the stream group is always among them. */
  private static final int MAX_GROUPS = 500;

  private final String bootstrap;
  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> consumer;

  /** End offsets of every partition at the last sample, for the topic list and the tails. */
  private volatile Map<TopicPartition, Long> ends = Map.of();
  private volatile Map<TopicPartition, Long> starts = Map.of();
  /** For {@link #countCommitted}: per partition, the offset counted up to; and the count. */
  private final Map<TopicPartition, Long> countedTo = new HashMap<>();
  private long counted;

  KafkaProbe(String bootstrap) {
    this.bootstrap = bootstrap;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    admin = Admin.create(p);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // The streaming job writes dead letters in transactions: show only what was committed.
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * The brokers, each up or down: the cluster's voters (every broker of the stack is one) against
   * the brokers that answer; and how many partitions have a replica out of sync. A broker down
   * leaves the cluster writing with the others, so this is where an operator sees it.
   */
  private void brokers(ObjectNode out, Collection<TopicDescription> topics) throws Exception {
    Set<Integer> live = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
        .map(org.apache.kafka.common.Node::id).collect(Collectors.toSet());
    Set<Integer> known = new java.util.TreeSet<>(live);
    admin.describeMetadataQuorum().quorumInfo().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).voters()
        .forEach(v -> known.add(v.replicaId()));
    ArrayNode list = out.putArray("brokers");
    ArrayNode down = out.putArray("brokersDown");
    for (int id : known) {
      list.addObject().put("id", id).put("up", live.contains(id));
      if (!live.contains(id)) {
        down.add(id);
      }
    }
    long underReplicated = topics.stream().flatMap(t -> t.partitions().stream())
        .filter(p -> p.isr().size() < p.replicas().size()).count();
    out.put("underReplicatedPartitions", underReplicated);
  }

  /** Every topic with its partitions' offsets, and every consumer group's lag. */
  ObjectNode sample(String streamGroup, String inputTopic) throws Exception {
    Set<String> names = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Map<String, TopicDescription> topics =
        admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<TopicPartition> partitions = new ArrayList<>();
    topics.values().forEach(t -> t.partitions().forEach(p -> partitions.add(new TopicPartition(t.name(), p.partition()))));
    ends = offsets(partitions, OffsetSpec.latest());
    starts = offsets(partitions, OffsetSpec.earliest());

    ObjectNode out = JSON.createObjectNode().put("up", true).put("bootstrap", bootstrap);
    brokers(out, topics.values());
    ArrayNode topicList = out.putArray("topics");
    for (String name : new TreeMap<>(topics).keySet()) {
      ObjectNode topic = topicList.addObject().put("name", name);
      ArrayNode parts = topic.putArray("partitions");
      long end = 0;
      long records = 0;
      for (var p : topics.get(name).partitions()) {
        TopicPartition tp = new TopicPartition(name, p.partition());
        long e = ends.getOrDefault(tp, 0L);
        long s = starts.getOrDefault(tp, 0L);
        end += e;
        records += e - s;
        parts.addObject().put("partition", p.partition()).put("start", s).put("end", e);
      }
      topic.put("partitionCount", parts.size()).put("endOffsets", end).put("records", records);
    }

    List<String> groups = admin.listConsumerGroups().all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
        .map(ConsumerGroupListing::groupId).sorted().limit(MAX_GROUPS).collect(Collectors.toList());
    if (!groups.contains(streamGroup)) {
      groups.add(0, streamGroup);
    }
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
        admin.listConsumerGroupOffsets(specs).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ArrayNode groupList = out.putArray("groups");
    for (String group : groups) {
      Map<TopicPartition, OffsetAndMetadata> offsets = committed.getOrDefault(group, Map.of());
      ObjectNode g = groupList.addObject().put("group", group).put("stream", group.equals(streamGroup));
      Map<String, List<TopicPartition>> byTopic = offsets.keySet().stream()
          .filter(tp -> offsets.get(tp) != null)
          .collect(Collectors.groupingBy(TopicPartition::topic, TreeMap::new, Collectors.toList()));
      if (byTopic.isEmpty() && group.equals(streamGroup) && topics.containsKey(inputTopic)) {
        // Never committed: it lags by everything in its input topic.
        g.put("note", "no committed offsets yet");
        byTopic.put(inputTopic, List.of());
      }
      long total = 0;
      ArrayNode topicLags = g.putArray("topics");
      for (var entry : byTopic.entrySet()) {
        ObjectNode t = topicLags.addObject().put("topic", entry.getKey());
        ArrayNode parts = t.putArray("partitions");
        long lag = 0;
        for (var p : topics.containsKey(entry.getKey()) ? topics.get(entry.getKey()).partitions() : List.<org.apache.kafka.common.TopicPartitionInfo>of()) {
          TopicPartition tp = new TopicPartition(entry.getKey(), p.partition());
          OffsetAndMetadata at = offsets.get(tp);
          long end = ends.getOrDefault(tp, 0L);
          long l = ConsumerLag.ofPartition(at, starts.getOrDefault(tp, 0L), end);
          lag += l;
          parts.addObject().put("partition", p.partition()).put("committed", at == null ? -1 : at.offset())
              .put("end", end).put("lag", l);
        }
        t.put("lag", lag);
        total += lag;
      }
      g.put("lag", total);
    }
    return out;
  }

  /**
   * Committed records of {@code topic} (one topic per probe), counted incrementally: each call
   * reads only what was committed since the last (transaction markers and aborted records take
   * offsets, so offsets cannot be subtracted). Starts over if the topic was recreated.
   */
  long countCommitted(String topic) {
    List<TopicPartition> partitions = ends.keySet().stream().filter(tp -> tp.topic().equals(topic))
        .collect(Collectors.toList());
    Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
    if (stable.entrySet().stream().anyMatch(e -> countedTo.getOrDefault(e.getKey(), 0L) > e.getValue())) {
      countedTo.clear();
      counted = 0;
    }
    Map<TopicPartition, Long> from = new HashMap<>();
    for (TopicPartition tp : partitions) {
      long start = Math.max(countedTo.getOrDefault(tp, 0L), starts.getOrDefault(tp, 0L));
      if (start < stable.get(tp)) {
        from.put(tp, start);
      }
    }
    if (from.isEmpty()) {
      return counted;
    }
    consumer.assign(from.keySet());
    from.forEach(consumer::seek);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && !done(stable, from.keySet())) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() < stable.get(new TopicPartition(r.topic(), r.partition()))) {
          counted++;
        }
      }
    }
    from.keySet().forEach(tp -> countedTo.put(tp, Math.min(consumer.position(tp), stable.get(tp))));
    consumer.unsubscribe();
    return counted;
  }

  private boolean done(Map<TopicPartition, Long> to, Collection<TopicPartition> partitions) {
    return partitions.stream().allMatch(tp -> consumer.position(tp) >= to.get(tp));
  }

  /** The last {@code perPartition} records of each partition of {@code topic} (at most 40 partitions). */
  List<ConsumerRecord<byte[], byte[]>> tail(String topic, int perPartition) {
    List<TopicPartition> partitions = ends.keySet().stream().filter(tp -> tp.topic().equals(topic))
        .sorted(Comparator.comparingInt(TopicPartition::partition)).limit(40).collect(Collectors.toList());
    Map<TopicPartition, Long> wanted = new HashMap<>();
    // Read committed: up to the last stable offset, which an open transaction holds back.
    Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
    for (TopicPartition tp : partitions) {
      long end = stable.get(tp);
      long from = Math.max(starts.getOrDefault(tp, 0L), end - perPartition);
      if (from < end) {
        wanted.put(tp, end);
      }
    }
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    if (wanted.isEmpty()) {
      return out;
    }
    consumer.assign(wanted.keySet());
    wanted.keySet().forEach(tp ->
        consumer.seek(tp, Math.max(starts.getOrDefault(tp, 0L), wanted.get(tp) - perPartition)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < deadline && !done(wanted, wanted.keySet())) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() < wanted.get(new TopicPartition(r.topic(), r.partition()))) {
          out.add(r);
        }
      }
    }
    consumer.unsubscribe();
    return out;
  }

  private Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec)
      throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(request).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
    admin.close(Duration.ofSeconds(2));
  }
}
