package dev.userstream.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.CassandraSchema;
import dev.userstream.kafka.CommittedRecords;
import dev.userstream.kafka.ConsumerLag;
import dev.userstream.kafka.DeadLetterHeaders;
import dev.userstream.schema.SchemaRegistryClient;
import dev.userstream.schema.UserSchema;
import dev.userstream.tools.Report;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The running local stack (infra/stack.py up), as integration tests see it: endpoints from the
 * environment with the stack's defaults, and a fresh topic pair, keyspace and consumer group per
 * test, so tests never see each other's data. Fails, never skips, when the stack is down.
 */
public final class LocalStack implements AutoCloseable {
  public static final String KAFKA = env("USERSTREAM_KAFKA", "127.0.0.1:19092");
  public static final String CASSANDRA = env("USERSTREAM_CASSANDRA", "127.0.0.1:19042");
  public static final String SPARK_MASTER = env("USERSTREAM_SPARK_MASTER", "spark://127.0.0.1:17077");
  public static final String FLINK_MASTER = env("USERSTREAM_FLINK_MASTER", "127.0.0.1:18082");
  public static final String SCHEMA_REGISTRY = env("USERSTREAM_SCHEMA_REGISTRY", "http://127.0.0.1:18085");
  /** The keyspace replication of the stack's mode: one node, or three (USERSTREAM_NODES=3). */
  public static final String CASSANDRA_REPLICATION =
      env("USERSTREAM_CASSANDRA_REPLICATION", CassandraSchema.LOCAL_REPLICATION);

  public final String id = UUID.randomUUID().toString().substring(0, 8);
  public final String inputTopic = "it-" + id + "-raw";
  public final String deadLetterTopic = "it-" + id + "-dlq";
  public final String keyspace = "it_" + id;
  public final String consumerGroup = "it-" + id;

  private final Admin admin;
  private final CqlSession session;
  private final KafkaProducer<byte[], byte[]> producer;

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /**
   * Checks the stack is up, then creates this test's topics (3 partitions), registers the users
   * schema for the input topic's values (as the ingestion does) and creates the keyspace.
   */
  public LocalStack() throws Exception {
    requireListening("Kafka", KAFKA);
    requireListening("Cassandra", CASSANDRA);
    requireListening("The schema registry", SCHEMA_REGISTRY.replaceFirst("^https?://", ""));
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
    admin = Admin.create(p);
    // The brokers' default replication factor and min.insync.replicas: 1, or 3 and 2 on a cluster.
    admin.createTopics(List.of(new NewTopic(inputTopic, Optional.of(3), Optional.empty()),
            new NewTopic(deadLetterTopic, Optional.of(3), Optional.empty())))
        .all()
        .get();
    new SchemaRegistryClient(SCHEMA_REGISTRY).register(UserSchema.subjectOf(inputTopic), UserSchema.text());
    // Reconnects within 10 s of a Cassandra restart (the fault tests restart it). Reads at quorum, as
    // the jobs write: on a cluster with a node down, they still see every row.
    session = new CassandraEndpoint(CASSANDRA, keyspace, "LOCAL_QUORUM").withLoginFromEnvironment().connect();
    CassandraSchema.apply(session, keyspace, CASSANDRA_REPLICATION);
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA);
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    pp.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
    producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void requireListening(String what, String hostPort) {
    try (Socket s = new Socket()) {
      s.connect(address(hostPort.split(",")[0]), 2000);
    } catch (Exception e) {
      throw new IllegalStateException(
          what + " is not listening at " + hostPort + ": start the local stack first"
              + " (python3 infra/stack.py up, or make test which does it)", e);
    }
  }

  /** Produces every (key, value) pair to the input topic and waits for the acknowledgements. */
  public void produce(List<byte[][]> keyValues) throws Exception {
    List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
    for (byte[][] kv : keyValues) {
      acks.add(producer.send(new ProducerRecord<>(inputTopic, kv[0], kv[1])));
    }
    producer.flush();
    for (java.util.concurrent.Future<?> ack : acks) {
      ack.get();
    }
  }

  public CqlSession session() {
    return session;
  }

  /** The test's Kafka admin client (the cluster tests ask it for leaders and in-sync replicas). */
  public Admin admin() {
    return admin;
  }

  /** Reads are idempotent: the driver retries one a node dropped (a node killed) on another. */
  private ResultSet read(String cql) {
    return session.execute(SimpleStatement.newInstance(cql).setIdempotent(true));
  }

  public long rowCount() {
    return read("SELECT count(*) FROM " + keyspace + ".users").one().getLong(0);
  }

  /** Every row of the users table, by id, as column name -> value. */
  public Map<UUID, Map<String, Object>> rows() {
    Map<UUID, Map<String, Object>> out = new HashMap<>();
    for (Row r : read("SELECT * FROM " + keyspace + ".users")) {
      Map<String, Object> columns = new HashMap<>();
      r.getColumnDefinitions().forEach(d -> columns.put(d.getName().asInternal(), r.getObject(d.getName())));
      out.put(r.getUuid("id"), columns);
    }
    return out;
  }

  public long endOffsetSum(String topic) throws Exception {
    return Report.total(admin, topic);
  }

  /** The group's lag on the input topic. */
  public long lag(String group) throws Exception {
    return ConsumerLag.of(admin, group, inputTopic);
  }

  /** A dead letter as read back from the topic: value bytes and headers. */
  public static final class ReadLetter {
    public final byte[] key;
    public final byte[] value;
    public final Map<String, String> headers = new HashMap<>();

    ReadLetter(ConsumerRecord<byte[], byte[]> r) {
      key = r.key();
      value = r.value();
      r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    }

    public String stage() {
      return headers.get(DeadLetterHeaders.STAGE);
    }

    public String reason() {
      return headers.get(DeadLetterHeaders.ERROR_MESSAGE);
    }

    @Override
    public String toString() {
      return headers.toString();
    }
  }

  /** Every record now in the dead-letter topic. */
  public List<ReadLetter> deadLetters() throws Exception {
    return records(deadLetterTopic).stream().map(ReadLetter::new).collect(Collectors.toList());
  }

  /** Every committed record now in {@code topic}, read from the beginning of each partition. */
  public List<ConsumerRecord<byte[], byte[]>> records(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    CommittedRecords.forEach(KAFKA, topic, 0, Duration.ofSeconds(60), out::add);
    return out;
  }

  /** Dead letters committed to the dead-letter topic (its end offsets count transaction markers too). */
  public long deadLetterCount() {
    return CommittedRecords.count(KAFKA, deadLetterTopic, 0, Duration.ofSeconds(60));
  }

  /**
   * Polls {@code condition} until it holds. The deadline follows progress: it is {@code stall}
   * after {@code progress} last changed (checked about once a second), so a busy machine that is
   * still moving records is waited for, and one where nothing moves fails after {@code stall}; four
   * stalls in all at the most. A poll that throws a RuntimeException (a server busy or restarting:
   * Cassandra's read timeouts under load) counts as "not yet"; an AssertionError ends the wait.
   * For a condition with no progress to follow, pass a constant.
   */
  public static void await(Duration stall, java.util.function.Supplier<String> progress, BooleanSupplier condition)
      throws InterruptedException {
    long start = System.nanoTime();
    long cap = start + stall.toNanos() * 4;
    long deadline = start + stall.toNanos();
    long nextProgressCheck = start;
    String last = null;
    RuntimeException lastError = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        lastError = e;
      }
      long now = System.nanoTime();
      if (now >= nextProgressCheck) {
        String current = progress.get();
        if (last != null && !current.equals(last)) {
          deadline = Math.min(cap, now + stall.toNanos());
        }
        last = current;
        nextProgressCheck = now + TimeUnit.SECONDS.toNanos(1);
      }
      if (now > deadline) {
        throw new AssertionError("no progress for " + stall.toSeconds() + " s (or over " + stall.toSeconds() * 4
            + " s in all): " + progress.get() + (lastError == null ? "" : "; last poll failed: " + lastError));
      }
      Thread.sleep(250);
    }
  }

  /** A condition that may throw, for {@link #await}. */
  public interface Check {
    boolean holds() throws Exception;
  }

  public static BooleanSupplier unchecked(Check check) {
    return () -> {
      try {
        return check.holds();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  @Override
  public void close() {
    producer.close();
    try {
      session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
      admin.deleteTopics(List.of(inputTopic, deadLetterTopic)).all().get();
      admin.deleteConsumerGroups(List.of(consumerGroup)).all().get();
    } catch (Exception e) {
      // Cleanup is best effort: names are unique per test, so leftovers harm nothing.
    }
    session.close();
    admin.close();
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
