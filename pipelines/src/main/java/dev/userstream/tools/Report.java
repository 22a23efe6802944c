package dev.userstream.tools;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.RowCount;
import dev.userstream.kafka.CommittedRecords;
import dev.userstream.kafka.ConsumerLag;
import dev.userstream.kafka.DeadLetterHeaders;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import dev.userstream.options.KafkaOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Says what landed where: records in the input and dead-letter topics, the consumer group's lag,
 * rows in Cassandra, and the latest dead-letter reasons ({@code --help} lists the options). With
 * {@code --expectRows=N} it first waits
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

  /** Report's options: where to look, and what to wait for or check. */
  public interface Options extends KafkaOptions, CassandraOptions {
    @Description("Topic of raw users")
    @Default.String("users.raw")
    String getInputTopic();

    void setInputTopic(String value);

    @Description("Dead-letter topic")
    @Default.String("users.dlq")
    String getDeadLetterTopic();

    void setDeadLetterTopic(String value);

    @Description("The streaming job's consumer group, whose lag is reported")
    @Default.String("userstream-stream")
    String getConsumerGroup();

    void setConsumerGroup(String value);

    @Description("Wait until Cassandra holds this many rows and the lag is 0 (exit 1 if not within --timeoutSeconds);"
        + " -1: do not wait")
    @Default.Long(-1)
    long getExpectRows();

    void setExpectRows(long value);

    @Description("How long --expectRows waits, and how long counting may take")
    @Default.Long(300)
    long getTimeoutSeconds();

    void setTimeoutSeconds(long value);

    @Description("Print the full report; false: one line of rows and lag")
    @Default.Boolean(true)
    boolean getReport();

    void setReport(boolean value);

    @Description("Health check: exit 2 when the consumer lag is above this; -1: no check")
    @Default.Long(-1)
    long getMaxLag();

    void setMaxLag(long value);

    @Description("Health check: exit 2 when more dead letters than this were written in the last --windowMinutes;"
        + " -1: no check")
    @Default.Long(-1)
    long getMaxRecentDeadLetters();

    void setMaxRecentDeadLetters(long value);

    @Description("The window of --maxRecentDeadLetters, in minutes")
    @Default.Long(60)
    long getWindowMinutes();

    void setWindowMinutes(long value);
  }

  public static void main(String[] args) throws Exception {
    Options options = CommandLine.parse(args, Options.class);
    String bootstrap = options.getKafkaBootstrapServers();
    String input = options.getInputTopic();
    String dlq = options.getDeadLetterTopic();
    String group = options.getConsumerGroup();
    CassandraEndpoint cassandra = CassandraOptions.endpoint(options);
    String table = options.getCassandraTable();
    long expectRows = options.getExpectRows();
    long timeoutSeconds = options.getTimeoutSeconds();
    boolean report = options.getReport();
    long maxLag = options.getMaxLag();
    long maxRecentDeadLetters = options.getMaxRecentDeadLetters();
    long windowMinutes = options.getWindowMinutes();

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p);
        CqlSession session = cassandra.connect()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      long rows;
      long lag;
      long lastPrint = 0;
      RowCount rowCount = RowCount.of(session, cassandra.keyspace, table);
      while (true) {
        rows = rowCount.count(deadline);
        lag = ConsumerLag.of(admin, group, input);
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
      System.out.printf("%-34s %d%n", "rows in " + cassandra.keyspace + "." + table + ":", rows);
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
