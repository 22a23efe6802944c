package dev.userstream.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.fasterxml.jackson.databind.JsonNode;
import dev.userstream.model.Json;
import dev.userstream.spark.FaultRuns.StackControl;
import dev.userstream.testing.BundledJob;
import dev.userstream.testing.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The fault suite on the cluster stack ({@code USERSTREAM_NODES=3}: three Kafka brokers, three
 * Cassandra nodes, replication factor 3, min.insync.replicas 2, writes at LOCAL_QUORUM): a broker
 * killed while streaming and while ingesting, a rolling restart of every broker, a Cassandra node
 * killed while streaming, one down long enough for hints to be written and replayed, and one that
 * never comes back. In every case the job runs on without a restart, stores rows while the node is
 * down, and in the end nothing is lost and no row is duplicated. Rows of docs/RELIABILITY.md's
 * cluster table go to {@code target/reliability/cluster-faults.md}. Run by {@code make test-faults}.
 */
public class ClusterFaultsIT {
  /** The feeder's pause between chunks of 500 records: 20,000 users over about a minute. */
  private static final Duration FEED_PAUSE = Duration.ofMillis(1500);
  /** Rows the job must store while a node is down, to show it is not waiting for the node. */
  private static final long ROWS_WHILE_DOWN = 1_000;
  private static final FaultRuns.Table TABLE = new FaultRuns.Table();

  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @BeforeClass
  public static void requireCluster() {
    assertThat("ClusterFaultsIT needs the cluster stack: make test-faults, or USERSTREAM_NODES=3 python3"
        + " infra/stack.py with -- ...", System.getenv("USERSTREAM_NODES"), equalTo("3"));
  }

  /** Every case starts on a whole cluster: all nodes up, every partition fully replicated. */
  @Before
  public void wholeCluster() throws Exception {
    StackControl.run("up", "kafka", "cassandra");
    try (LocalStack stack = new LocalStack()) {
      awaitFullyReplicated(stack.admin());
      LocalStack.await(Duration.ofMinutes(2), () -> "Cassandra nodes up: " + nodesUp(stack),
          () -> nodesUp(stack) == 3);
    }
  }

  @AfterClass
  public static void writeTableAndMendTheCluster() throws Exception {
    TABLE.write("cluster-faults.md");
    StackControl.run("up", "kafka", "cassandra");
  }

  /**
   * The cluster is what it claims to be: three voters in the controller quorum, the stack's topics
   * (and the internal ones the job commits through) on three replicas with min.insync.replicas 2,
   * and the keyspaces of profiles and logins on three replicas by datacenter.
   */
  @Test
  public void theClusterIsReplicatedThreeTimes() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      Admin admin = stack.admin();
      assertThat("controller quorum voters",
          admin.describeMetadataQuorum().quorumInfo().get().voters().size(), equalTo(3));
      assertThat("brokers", admin.describeCluster().nodes().get().size(), equalTo(3));
      List<String> topics = new ArrayList<>(List.of("users.raw", "users.dlq", "_schemas", stack.inputTopic));
      // The internal topics, once a consumer group or a transaction has made them.
      Set<String> existing = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      List.of("__consumer_offsets", "__transaction_state").stream().filter(existing::contains).forEach(topics::add);
      Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
      for (TopicDescription d : described.values()) {
        for (TopicPartitionInfo p : d.partitions()) {
          assertThat(d.name() + "-" + p.partition() + " replicas", p.replicas().size(), equalTo(3));
        }
      }
      List<ConfigResource> resources = new ArrayList<>();
      for (String topic : topics) {
        resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic));
      }
      for (var entry : admin.describeConfigs(resources).all().get().entrySet()) {
        String minIsr = entry.getValue().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value();
        assertThat(entry.getKey().name() + " min.insync.replicas", minIsr, equalTo("2"));
      }
      for (String keyspace : List.of("userstream", stack.keyspace, "system_auth", "system_distributed")) {
        // From the schema tables: the driver's metadata leaves the system keyspaces out.
        Row row = stack.session().execute(SimpleStatement.newInstance(
            "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace)).one();
        assertThat("keyspace " + keyspace, row, notNullValue());
        Map<String, String> replication = row.getMap("replication", String.class, String.class);
        assertThat(keyspace + " replication", replication.get("class"),
            equalTo("org.apache.cassandra.locator.NetworkTopologyStrategy"));
        assertThat(keyspace + " replicas in datacenter1", replication.get("datacenter1"), equalTo("3"));
      }
      assertThat("Cassandra nodes up", nodesUp(stack), equalTo(3L));
    }
  }

  @Test
  public void kafkaBrokerKilledWhileStreaming() throws Exception {
    FaultRuns.streamThrough(TABLE, checkpoints.newFolder(), "cluster-kafka-kill",
        "a Kafka broker SIGKILLed while streaming (the leader of partition 0), started again later", 1, FEED_PAUSE,
        (stack, job) -> {
          int leader = leaderOf(stack.admin(), stack.inputTopic, 0);
          StackControl.run("kill", "kafka-" + leader);
          long stored = awaitRowsWhileDown(stack, job);
          awaitOnConsole("kafka", "brokersDown", String.valueOf(leader));
          StackControl.run("up", "kafka");
          awaitFullyReplicated(stack.admin());
          return "broker " + leader + " killed at %,d rows; " + String.format("%,d", stored) + " rows stored while it"
              + " was down; back and in sync again";
        });
  }

  @Test
  public void kafkaBrokersRestartedOneByOneWhileStreaming() throws Exception {
    FaultRuns.streamThrough(TABLE, checkpoints.newFolder(), "cluster-kafka-rolling",
        "rolling restart of the three Kafka brokers while streaming", 1, FEED_PAUSE, (stack, job) -> {
          for (int broker = 1; broker <= 3; broker++) {
            StackControl.run("stop", "kafka-" + broker);
            StackControl.run("up", "kafka");
            // The next broker goes only once this one has caught up, as an operator's rolling restart.
            awaitFullyReplicated(stack.admin());
            assertThat("the job runs on through broker " + broker + "'s restart", job.isAlive(), equalTo(true));
          }
          return "from %,d rows, each broker stopped, started and caught up in turn";
        });
  }

  @Test
  public void kafkaBrokerKilledDuringIngestion() throws Exception {
    FaultRuns.ingestThrough(TABLE, checkpoints.newFolder(), "cluster-kafka",
        "a Kafka broker SIGKILLed during ingestion", true, (stack, ingest) -> {
          int leader = leaderOf(stack.admin(), stack.inputTopic, 0);
          StackControl.run("kill", "kafka-" + leader);
          return "broker " + leader + " (leader of partition 0) killed at %,d staged users and left down for the run";
        });
  }

  @Test
  public void cassandraNodeKilledWhileStreaming() throws Exception {
    FaultRuns.streamThrough(TABLE, checkpoints.newFolder(), "cluster-cassandra-kill",
        "a Cassandra node SIGKILLed while streaming, started again later", 1, FEED_PAUSE, (stack, job) -> {
          StackControl.run("kill", "cassandra-2");
          long stored = awaitRowsWhileDown(stack, job);
          StackControl.run("up", "cassandra");
          return "cassandra-2 killed at %,d rows; " + String.format("%,d", stored) + " rows stored at LOCAL_QUORUM"
              + " while it was down";
        });
  }

  @Test
  public void cassandraNodeDownLongEnoughForHintsThenBack() throws Exception {
    FaultRuns.streamThrough(TABLE, checkpoints.newFolder(), "cluster-cassandra-hints",
        "a Cassandra node stopped while streaming until hints pile up for it, then started", 1, FEED_PAUSE,
        (stack, job) -> {
          UUID downNode = hostId(stack, 3);
          StackControl.run("stop", "cassandra-3");
          long stored = awaitRowsWhileDown(stack, job);
          // The other nodes keep cassandra-3's writes as hints, flushed to files every 10 s.
          long[] hinted = {0};
          LocalStack.await(Duration.ofMinutes(2), () -> "hint bytes for cassandra-3: " + hinted[0],
              LocalStack.unchecked(() -> (hinted[0] = hintBytes(downNode)) > 0));
          long started = System.nanoTime();
          StackControl.run("up", "cassandra");
          // Replayed to it once it is back, and deleted: nothing is left for a repair to find.
          LocalStack.await(Duration.ofMinutes(3), () -> "hint bytes left: " + hintBytesOrError(downNode),
              LocalStack.unchecked(() -> hintBytes(downNode) == 0));
          long replaySeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
          return "cassandra-3 stopped at %,d rows; " + String.format("%,d", stored) + " rows stored while it was down,"
              + " its replicas kept as hints on the other two (" + String.format("%,d", hinted[0] / 1024) + " KiB of"
              + " hint files); started again, all hints replayed to it and deleted " + replaySeconds + " s after its"
              + " start began";
        });
  }

  @Test
  public void cassandraNodeThatNeverComesBack() throws Exception {
    List<String> logged = new ArrayList<>();
    try {
      FaultRuns.streamThrough(TABLE, checkpoints.newFolder(), "cluster-cassandra-gone",
          "a Cassandra node SIGKILLed while streaming and never started again", 1, FEED_PAUSE, (stack, job) -> {
            StackControl.run("kill", "cassandra-3");
            long stored = awaitRowsWhileDown(stack, job);
            String address = nodeAddress(3);
            LocalStack.await(Duration.ofMinutes(1), () -> "the job's log naming " + address + " down",
                LocalStack.unchecked(() -> job.output().contains(address + " (datacenter datacenter1) is down")));
            logged.add(address);
            awaitOnConsole("cassandra", "nodesDown", address);
            return "cassandra-3 killed at %,d rows; " + String.format("%,d", stored) + " rows stored with two of"
                + " three replicas; the job's log says `Cassandra node " + address + " ... is down`";
          });
    } finally {
      StackControl.run("up", "cassandra");
    }
    assertThat("the job said which node is down", logged.size(), equalTo(1));
  }

  /** Waits until the stack's console lists {@code item} in its overview's {@code section.list}. */
  private static void awaitOnConsole(String section, String list, String item) throws InterruptedException {
    String console = System.getenv("USERSTREAM_CONSOLE");
    assertThat("the console's address (USERSTREAM_CONSOLE, set by stack.py with)", console, notNullValue());
    HttpClient http = HttpClient.newHttpClient();
    String[] last = {""};
    LocalStack.await(Duration.ofMinutes(1), () -> "the console's " + section + "." + list + ": " + last[0],
        LocalStack.unchecked(() -> {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(console + "api/overview"))
              .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
          JsonNode listed = Json.MAPPER.readTree(r.body()).path(section).path(list);
          last[0] = listed.toString();
          for (JsonNode n : listed) {
            if (n.asText().equals(item)) {
              return true;
            }
          }
          return false;
        }));
  }

  /** Waits until the job has stored {@link #ROWS_WHILE_DOWN} more rows; returns how many it stored. */
  private static long awaitRowsWhileDown(LocalStack stack, BundledJob job) throws InterruptedException {
    long from = rowCount(stack);
    long[] now = {from};
    LocalStack.await(Duration.ofMinutes(2), () -> (now[0] - from) + " rows stored since the fault",
        () -> {
          assertThat("the job runs on; log " + job.log, job.isAlive(), equalTo(true));
          now[0] = stack.rowCount();
          return now[0] - from >= ROWS_WHILE_DOWN;
        });
    assertThat(now[0] - from, greaterThan(0L));
    return now[0] - from;
  }

  /**
   * The test's row count, read again when it fails: a node killed a moment ago is still thought up
   * by the others until their failure detector convicts it, and a scan at quorum that picked it as a
   * replica times out meanwhile (the job's writes, sent to every replica, do not wait for it).
   */
  private static long rowCount(LocalStack stack) throws InterruptedException {
    long[] count = {-1};
    LocalStack.await(Duration.ofMinutes(1), () -> "a row count", () -> (count[0] = stack.rowCount()) >= 0);
    return count[0];
  }

  private static int leaderOf(Admin admin, String topic, int partition) throws Exception {
    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    return d.partitions().get(partition).leader().id();
  }

  /** Waits until every partition of every topic has all its replicas in sync. */
  static void awaitFullyReplicated(Admin admin) throws InterruptedException {
    LocalStack.await(Duration.ofMinutes(2), () -> {
      try {
        return underReplicated(admin) + " partitions under-replicated";
      } catch (Exception e) {
        return e.toString();
      }
    }, LocalStack.unchecked(() -> underReplicated(admin) == 0));
  }

  private static long underReplicated(Admin admin) throws Exception {
    List<String> topics = new ArrayList<>(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get());
    long count = 0;
    for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.leader() == null || p.isr().size() < p.replicas().size()) {
          count++;
        }
      }
    }
    return count;
  }

  private static long nodesUp(LocalStack stack) {
    return stack.session().getMetadata().getNodes().values().stream()
        .filter(n -> n.getState() == NodeState.UP).count();
  }

  /** Node {@code n} (1-3) of the stack's cluster, host:port (127.0.0.(n + 1):19042). */
  private static String nodeAddress(int n) {
    return LocalStack.CASSANDRA.split(",")[n - 1].strip();
  }

  /** The host id of node {@code n}, as the cluster knows it. */
  private static UUID hostId(LocalStack stack, int n) {
    String address = nodeAddress(n);
    for (Node node : stack.session().getMetadata().getNodes().values()) {
      if (node.getEndPoint().toString().endsWith(address)) {
        return node.getHostId();
      }
    }
    throw new AssertionError("no node " + address + " in " + stack.session().getMetadata().getNodes());
  }

  /**
   * Bytes of the hint files the stack's Cassandra nodes hold for {@code node}: each node keeps the
   * writes a down replica missed in its hints directory, in files named after that replica's host
   * id, until it has replayed them to it. (system_views.pending_hints listed none of them in 5.0.6.)
   */
  private static long hintBytes(UUID node) throws IOException {
    Path home = Path.of(System.getenv().getOrDefault("USERSTREAM_HOME", "../../.userstream"));
    long bytes = 0;
    for (int n = 1; n <= 3; n++) {
      Path hints = home.resolve("cassandra-" + n).resolve("hints");
      if (!Files.isDirectory(hints)) {
        continue;
      }
      try (Stream<Path> files = Files.list(hints)) {
        for (Path f : files.filter(f -> f.getFileName().toString().startsWith(node + "-")).toList()) {
          bytes += Files.exists(f) ? Files.size(f) : 0;
        }
      }
    }
    return bytes;
  }

  private static String hintBytesOrError(UUID node) {
    try {
      return String.valueOf(hintBytes(node));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
