package dev.userstream.tools;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.RowCount;
import dev.userstream.kafka.CommittedRecords;
import dev.userstream.kafka.DeadLetterHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Says what landed where: records in the input and dead-letter topics, the consumer group's lag,
 * rows in Cassandra, and the latest dead-letter reasons. With {@code --expectRows=N} it first waits
 * (up to {@code --timeoutSeconds}) until Cassandra holds N rows and the lag is 0, and exits 1 if
 * that does not happen. With {@code --maxLag=N} and/or {@code --maxRecentDeadLetters=N} (dead
 * letters written in the last {@code --windowMinutes}, default 60) it is a health check: it exits 2
 * naming each threshold crossed. Output goes to standard output: this is a command-line report.
 */
public final class Report {
  /** How long reading the dead-letter topic may take. */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  /** How many of the newest dead letters the report shows. */
  private static final int LATEST = 5;

  private Report() {}

  public static void main(String[] argv) throws Exception {
    Args args =
        new Args(argv,
            "Report --bootstrap=host:port --inputTopic=T --deadLetterTopic=T --group=G"
                + " --cassandraHosts=host:port --keyspace=K [--expectRows=N --timeoutSeconds=S]",
            "bootstrap", "inputTopic", "deadLetterTopic", "group", "cassandraHosts", "keyspace",
            "expectRows", "timeoutSeconds", "report", "maxLag", "maxRecentDeadLetters", "windowMinutes");
    String bootstrap = args.get("bootstrap", "127.0.0.1:19092");
    String input = args.get("inputTopic", "users.raw");
    String dlq = args.get("deadLetterTopic", "users.dlq");
    String group = args.get("group", "userstream-stream");
    CassandraEndpoint cassandra =
        new CassandraEndpoint(args.get("cassandraHosts", "127.0.0.1:19042"), args.get("keyspace", "userstream"), "ONE");
    long expectRows = args.getLong("expectRows", -1);
    long timeoutSeconds = args.getLong("timeoutSeconds", 300);
    boolean report = Boolean.parseBoolean(args.get("report", "true"));
    long maxLag = args.getLong("maxLag", -1);
    long maxRecentDeadLetters = args.getLong("maxRecentDeadLetters", -1);
    long windowMinutes = args.getLong("windowMinutes", 60);

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p);
        Cluster cluster = cassandra.withLoginFromEnvironment().clusterBuilder().build();
        Session session = cluster.connect()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      long rows;
      long lag;
      long lastPrint = 0;
      while (true) {
        rows = RowCount.of(session, cassandra.keyspace, "users", deadline);
        lag = lag(admin, input, group);
        if (expectRows < 0 || (rows >= expectRows && lag == 0)) {
          break;
        }
        if (System.nanoTime() > deadline) {
          System.out.printf("NOT DONE after %d s: %d of %d rows in Cassandra, consumer lag %d%n",
              timeoutSeconds, rows, expectRows, lag);
          System.exit(1);
        }
        if (System.nanoTime() - lastPrint > 5_000_000_000L) {
          System.out.printf("waiting: %d of %d rows in Cassandra, consumer lag %d%n", rows, expectRows, lag);
          lastPrint = System.nanoTime();
        }
        Thread.sleep(1000);
      }
      if (!report) {
        System.out.printf("%d rows in Cassandra, consumer lag %d%n", rows, lag);
        return;
      }
      System.out.printf("%-34s %d%n", "records in " + input + ":", total(admin, input));
      System.out.printf("%-34s %d%n", "consumer lag of " + group + ":", lag);
      System.out.printf("%-34s %d%n", "rows in " + cassandra.keyspace + ".users:", rows);
      System.out.printf("%-34s %d%n", "dead letters in " + dlq + ":", CommittedRecords.count(bootstrap, dlq, 0, READ_TIMEOUT));
      for (String line : latestDeadLetters(bootstrap, dlq, LATEST)) {
        System.out.println("  " + line);
      }
      if (maxLag >= 0 || maxRecentDeadLetters >= 0) {
        long recent = CommittedRecords.count(bootstrap, dlq,
            System.currentTimeMillis() - Duration.ofMinutes(windowMinutes).toMillis(), READ_TIMEOUT);
        System.out.printf("%-34s %d%n", "dead letters in the last " + windowMinutes + " min:", recent);
        List<String> crossed = new ArrayList<>();
        if (maxLag >= 0 && lag > maxLag) {
          crossed.add("consumer lag " + lag + " of group " + group + " is above --maxLag=" + maxLag);
        }
        if (maxRecentDeadLetters >= 0 && recent > maxRecentDeadLetters) {
          crossed.add(recent + " dead letters in the last " + windowMinutes + " min, above --maxRecentDeadLetters="
              + maxRecentDeadLetters);
        }
        if (!crossed.isEmpty()) {
          crossed.forEach(c -> System.out.println("CHECK FAILED: " + c));
          System.exit(2);
        }
        System.out.println("CHECK OK");
      }
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
      throws ExecutionException, InterruptedException {
    List<TopicPartition> partitions =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .collect(Collectors.toList());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /** Records ever written to {@code topic}: its partitions' end offsets, summed. */
  public static long total(Admin admin, String topic) throws ExecutionException, InterruptedException {
    return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Sum over partitions of end offset minus committed offset (uncommitted counts in full). */
  public static long lag(Admin admin, String topic, String group)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    long lag = 0;
    for (Map.Entry<TopicPartition, Long> e : endOffsets(admin, topic).entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      lag += e.getValue() - (c == null ? 0 : c.offset());
    }
    return lag;
  }

  /** The newest {@code count} letters overall, read (committed only) from the tail of each partition. */
  private static List<String> latestDeadLetters(String bootstrap, String topic, int count) {
    // Transaction markers take offsets too: read a few more offsets than letters wanted.
    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>(CommittedRecords.tail(bootstrap, topic, count * 3, READ_TIMEOUT));
    read.sort((a, b) -> Long.compare(b.timestamp(), a.timestamp()));
    return read.stream()
        .limit(count)
        .map(r -> String.format("[%s] %s %s: %s", header(r, DeadLetterHeaders.FAILED_AT),
            header(r, DeadLetterHeaders.STAGE), header(r, DeadLetterHeaders.SOURCE),
            header(r, DeadLetterHeaders.ERROR_MESSAGE)))
        .collect(Collectors.toList());
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? "?" : new String(h.value(), UTF_8);
  }
}
