package dev.userstream.tools;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.Session;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.CassandraSchema;
import dev.userstream.sample.SampleUsers;
import dev.userstream.schema.SchemaRegistryClient;
import dev.userstream.schema.UserSchema;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Drain benchmark of the streaming job: preloads N sample users into a fresh topic, starts the
 * bundled Spark jar (local[2]) as its own process, and measures time from JVM start to the first
 * and to the last row readable in Cassandra, rows/s, the job's peak RSS, and then the end-to-end
 * latency of single records (produce -> row readable) while the job idles. Prints a table.
 *
 * <p>{@code DrainBenchmark --jar=runners/spark/target/userstream-spark-bundled.jar --users=200000}.
 * Child JVM options come from USERSTREAM_JAVA_OPTS (set by infra/stack.py). Bounded: every wait
 * has a deadline, and the job is stopped at the end.
 */
public final class DrainBenchmark {
  private DrainBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv,
        "DrainBenchmark --jar=PATH --users=N --latencySamples=N --bootstrap=host:port --cassandraHosts=host:port"
            + " --schemaRegistryUrl=URL",
        "jar", "users", "latencySamples", "bootstrap", "cassandraHosts", "schemaRegistryUrl", "jobArgs");
    Path jar = Path.of(args.get("jar", "runners/spark/target/userstream-spark-bundled.jar"));
    int users = (int) args.getLong("users", 200_000);
    int samples = (int) args.getLong("latencySamples", 30);
    String bootstrap = args.get("bootstrap", "127.0.0.1:19092");
    CassandraEndpoint cassandra = new CassandraEndpoint(args.get("cassandraHosts", "127.0.0.1:19042"), "bench", "ONE");
    String id = Long.toString(System.currentTimeMillis(), 36);
    String topic = "bench-" + id + "-raw";
    String dlq = "bench-" + id + "-dlq";
    String keyspace = "bench_" + id;
    String registry = args.get("schemaRegistryUrl", "http://127.0.0.1:18085");

    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Cluster.Builder cb = Cluster.builder().withoutJMXReporting();
    cassandra.addresses().forEach(a -> cb.addContactPointsWithPorts(new InetSocketAddress(a.getHostString(), a.getPort())));
    Process job = null;
    try (Admin admin = Admin.create(ap); Cluster cluster = cb.build(); Session session = cluster.connect();
        KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(dlq, 3, (short) 1))).all().get();
      CassandraSchema.apply(session, keyspace, CassandraSchema.LOCAL_REPLICATION);
      // The job validates every payload against the topic's registered schema, as in production.
      new SchemaRegistryClient(registry).register(UserSchema.subjectOf(topic), UserSchema.text());

      long t = System.nanoTime();
      for (int i = 0; i < users; i++) {
        producer.send(new ProducerRecord<>(topic, SampleUsers.uuid("bench", i).getBytes(UTF_8), SampleUsers.userJson("bench", i)));
      }
      producer.flush();
      double produceSeconds = (System.nanoTime() - t) / 1e9;
      log("preloaded %d users into %s in %.1f s", users, topic, produceSeconds);

      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx2g");
      String opts = System.getenv().getOrDefault("USERSTREAM_JAVA_OPTS", "");
      if (!opts.isBlank()) {
        cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
      }
      cmd.addAll(List.of("-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1", "-jar", jar.toString(),
          "--runner=SparkRunner", "--sparkMaster=local[2]",
          "--checkpointDir=" + Files.createTempDirectory("bench-checkpoint"),
          "--kafkaBootstrapServers=" + bootstrap, "--inputTopic=" + topic, "--deadLetterTopic=" + dlq,
          "--schemaRegistryUrl=" + registry,
          "--consumerGroup=bench-" + id, "--cassandraHosts=" + cassandra.contactPoints, "--cassandraKeyspace=" + keyspace));
      String jobArgs = args.get("jobArgs", "");
      if (!jobArgs.isBlank()) {
        cmd.addAll(Arrays.asList(jobArgs.trim().split("\\s+")));
      }
      Path log = Files.createTempFile("bench-job", ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      long jvmStart = System.nanoTime();
      job = pb.start();
      log("job started (pid %d, log %s)", job.pid(), log);

      // The last user produced to each partition, read back to tell when the backlog is done.
      PreparedStatement byId = session.prepare("SELECT id FROM " + keyspace + ".users WHERE id = ?");
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      double firstRow = -1;
      while (firstRow < 0) {
        requireRunning(job, log, deadline);
        if (session.execute("SELECT id FROM " + keyspace + ".users LIMIT 1").one() != null) {
          firstRow = (System.nanoTime() - jvmStart) / 1e9;
        } else {
          Thread.sleep(50);
        }
      }
      log("first row after %.2f s", firstRow);
      List<UUID> tail = new ArrayList<>();
      for (int i = Math.max(0, users - 30); i < users; i++) {
        tail.add(UUID.fromString(SampleUsers.uuid("bench", i)));
      }
      double lastRow = -1;
      long peakRss = 0;
      while (lastRow < 0) {
        requireRunning(job, log, deadline);
        peakRss = Math.max(peakRss, hwmKib(job.pid()));
        boolean tailPresent = tail.stream().allMatch(u -> session.execute(byId.bind(u)).one() != null);
        if (tailPresent && count(session, keyspace) >= users) {
          lastRow = (System.nanoTime() - jvmStart) / 1e9;
        } else {
          Thread.sleep(tailPresent ? 500 : 100);
        }
      }
      log("all %d rows after %.2f s", users, lastRow);

      double[] latencies = new double[samples];
      for (int i = 0; i < samples; i++) {
        String uuid = SampleUsers.uuid("latency-" + id, i);
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, uuid.getBytes(UTF_8), SampleUsers.userJson("latency-" + id, i))).get();
        UUID key = UUID.fromString(uuid);
        while (session.execute(byId.bind(key)).one() == null) {
          requireRunning(job, log, deadline);
          Thread.sleep(5);
        }
        latencies[i] = (System.nanoTime() - sent) / 1e6;
      }
      peakRss = Math.max(peakRss, hwmKib(job.pid()));
      double jobCpuSeconds = cpuSeconds(job.pid());
      Arrays.sort(latencies);

      double drainSeconds = lastRow - firstRow;
      System.out.println();
      System.out.println("| measure | value |");
      System.out.println("|---|---|");
      System.out.printf("| users preloaded | %d (%.0f users/s produce) |%n", users, users / produceSeconds);
      System.out.printf("| JVM start -> first row | %.2f s |%n", firstRow);
      System.out.printf("| JVM start -> last row | %.2f s |%n", lastRow);
      System.out.printf("| drain rate, first -> last row | %.0f rows/s |%n", users / drainSeconds);
      System.out.printf("| drain rate, JVM start -> last row | %.0f rows/s |%n", users / lastRow);
      System.out.printf("| job peak RSS | %d MiB |%n", peakRss / 1024);
      System.out.printf("| job CPU time, whole run | %.1f s |%n", jobCpuSeconds);
      System.out.printf("| single-record latency p50 / p95 / max (n=%d) | %.0f / %.0f / %.0f ms |%n",
          samples, latencies[samples / 2], latencies[(int) Math.ceil(samples * 0.95) - 1], latencies[samples - 1]);

      session.execute("DROP KEYSPACE " + keyspace);
      admin.deleteTopics(List.of(topic, dlq)).all().get();
    } finally {
      if (job != null) {
        job.destroy();
        if (!job.waitFor(150, TimeUnit.SECONDS)) {
          job.destroyForcibly();
        }
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static long count(Session session, String keyspace) {
    return session.execute("SELECT count(*) FROM " + keyspace + ".users").one().getLong(0);
  }

  private static void requireRunning(Process job, Path log, long deadline) {
    if (!job.isAlive()) {
      throw new IllegalStateException("the job exited with status " + job.exitValue() + "; see " + log);
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("benchmark did not finish within its 10 minutes; see " + log);
    }
  }

  /** Peak resident set size (VmHWM) of a process, in KiB; 0 where /proc does not tell. */
  private static long hwmKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** User + system CPU seconds of a process so far (from /proc, 100 ticks a second). */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void log(String format, Object... values) {
    System.out.printf("[bench] " + format + "%n", values);
  }
}
