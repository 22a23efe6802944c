package dev.userstream.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.CassandraSchema;
import dev.userstream.cassandra.ProfileUpsert;
import dev.userstream.cassandra.RetryingReads;
import dev.userstream.cassandra.RowCount;
import dev.userstream.emulator.SampleUsers;
import dev.userstream.ingest.IngestMetrics;
import dev.userstream.ingest.IngestPipeline;
import dev.userstream.ingest.IngestPipelineOptions;
import dev.userstream.kafka.ConsumerLag;
import dev.userstream.model.Json;
import dev.userstream.model.RawUser;
import dev.userstream.model.UserProfile;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import dev.userstream.options.KafkaOptions;
import dev.userstream.options.PostgresOptions;
import dev.userstream.options.SchemaRegistryOptions;
import dev.userstream.schema.SchemaRegistryClient;
import dev.userstream.shared.Percentiles;
import dev.userstream.schema.UserSchema;
import dev.userstream.stream.ProfileMapper;
import java.io.IOException;
import java.net.URI;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
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
 * {@code make bench}: how fast the pipeline is on this machine and where the bottleneck is, on the
 * local stack, each phase bounded in time. Not a test: it measures and prints, it asserts nothing.
 *
 * <ol>
 *   <li>ingest: users/s from the emulator into PostgreSQL and Kafka, per stage and overall;
 *   <li>drain: a preloaded topic of N users into Cassandra by the streaming job (Spark, local[2]):
 *       JVM start to first and to last row, rows/s;
 *   <li>latency: the same job at a fixed offered load (1,000 users/s for 60 s): produced (Kafka
 *       record time) to written (Cassandra's WRITETIME, set when the job issues the upsert),
 *       p50/p95/p99/max, per second;
 *   <li>ceilings: the raw Kafka consume rate of the preloaded topic and the raw Cassandra write
 *       rate (the pipeline's own prepared upsert, async, 256 in flight) of the same rows;
 *   <li>memory: peak RSS of every process of the stack, of the job and of this JVM.
 * </ol>
 *
 * Prints a table, writes {@code target/bench/bench.json} and {@code target/bench/latency.png}, and
 * with {@code --updateDocs=true} rewrites {@code docs/BENCHMARKS.md}. Scratch tables, topics and
 * keyspaces are dropped at the end.
 */
public final class Bench {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Keyspaces as the stack's mode replicates them (infra/stack.py env): one replica, or three. */
  private static final String REPLICATION = env("USERSTREAM_CASSANDRA_REPLICATION", CassandraSchema.LOCAL_REPLICATION);

  /** Bench's options; the stack's Kafka, Cassandra, PostgreSQL and registry are the defaults. */
  public interface Options extends KafkaOptions, CassandraOptions, PostgresOptions, SchemaRegistryOptions {
    @Description("Phases to run, comma-separated: ingest, drain, latency, queries, ceilings")
    @Default.String("ingest,drain,latency,queries,ceilings")
    String getPhases();

    void setPhases(String value);

    @Description("Users the ingest phase fetches and the drain phase preloads")
    @Default.Integer(200_000)
    int getUsers();

    void setUsers(int value);

    @Description("Offered load of the latency phase, users/s")
    @Default.Integer(1000)
    int getRate();

    void setRate(int value);

    @Description("How long the latency phase offers its load, s")
    @Default.Integer(60)
    int getSeconds();

    void setSeconds(int value);

    @Description("Upserts into a scratch keyspace before the first runner's drain, untimed, so that the"
        + " first runner does not pay for Cassandra's JIT warm-up (0: none)")
    @Default.Integer(50_000)
    int getCassandraWarmUpRows();

    void setCassandraWarmUpRows(int value);

    @Description("Bad records mixed into the drain, percent of the users (what dead-lettering costs)")
    @Default.Integer(0)
    int getPoisonPercent();

    void setPoisonPercent(int value);

    @Description("Offered load of the queries phase, requests/s to the profiles API: by id, then by e-mail")
    @Default.Integer(500)
    int getQueryRate();

    void setQueryRate(int value);

    @Description("How long the queries phase offers each kind of look-up, s (after 15 s of warm-up)")
    @Default.Integer(30)
    int getQuerySeconds();

    void setQuerySeconds(int value);

    @Description("Connections the queries phase's clients keep open to the profiles API; a request due while all"
        + " are busy waits for one, and that wait counts in its latency")
    @Default.Integer(32)
    int getQueryClients();

    void setQueryClients(int value);

    @Description("The profiles API's bundled jar, which the queries phase starts on the drained table")
    @Default.String("infra/profiles-api/target/userstream-profiles-api-bundled.jar")
    String getProfilesApiJar();

    void setProfilesApiJar(String value);

    @Description("The streaming job's bundled jar on the Spark runner")
    @Default.String("runners/spark/target/userstream-spark-bundled.jar")
    String getJar();

    void setJar(String value);

    @Description("The streaming job's bundled jar on the Flink runner")
    @Default.String("runners/flink/target/userstream-flink-bundled.jar")
    String getFlinkJar();

    void setFlinkJar(String value);

    @Description("Runners of the streaming job, comma-separated: spark, flink. The first runs every phase;"
        + " each other one the drain and the latency phase again, on tables and topics of its own, side by side")
    @Default.String("spark,flink")
    String getRunners();

    void setRunners(String value);

    @Description("Directory for bench.json and latency.png")
    @Default.String("target/bench")
    String getOut();

    void setOut(String value);

    @Description("Also rewrite docs/BENCHMARKS.md and docs/latency.png")
    @Default.Boolean(false)
    boolean getUpdateDocs();

    void setUpdateDocs(boolean value);

    @Description("More options for the streaming job, space-separated, or overrides of the bench's"
        + " (e.g. --schemaRegistryUrl= to measure it without schema validation)")
    @Default.String("")
    String getJobArgs();

    void setJobArgs(String value);

    @Description("JVM options for the streaming job alone, space-separated (e.g. -XX:TieredStopAtLevel=1);"
        + " USERSTREAM_JAVA_OPTS reaches the benchmark's JVM too, and with it the ceilings' clients")
    @Default.String("")
    String getJobJvmArgs();

    void setJobJvmArgs(String value);

    @Description("The local randomuser.me emulator the ingest phase reads (the ingestion job's --apiUrl): it"
        + " limits no one, so the phase measures the pipeline, not the real API's budget")
    @Default.String("http://127.0.0.1:18500/api/")
    String getEmulatorUrl();

    void setEmulatorUrl(String value);

    @Description("Record the streaming job's CPU with async-profiler and write flame graphs of its whole life"
        + " (<out>/profile-job.html) and of the drain alone (<out>/profile-drain.html), and the drain's CPU by"
        + " component; and Cassandra's and the profiles API's during each kind of look-up of the queries phase"
        + " (<out>/profile-cassandra-byId.html, profile-api-byEmail.html, ...)")
    @Default.Boolean(false)
    boolean getProfile();

    void setProfile(boolean value);
  }

  private final Options options;
  private final String id = Long.toString(System.currentTimeMillis(), 36);
  /** The streaming job's consumer group (one per runner): the drain watches its lag. */
  private String jobGroup;
  /** The runner the streaming phases run on now (spark, flink). */
  private String runner;
  /** Where the streaming phases of the runner now report: the report itself for the first runner. */
  private ObjectNode runnerReport;
  private final String kafka;
  private final String cassandraHosts;
  private final String registry;
  private final ObjectNode report = JSON.createObjectNode();
  /** The drain's first and last row, wall clock: the window of the drain's profile. */
  private long drainFromMillis;
  private long drainToMillis;
  private final List<String> table = new ArrayList<>();

  private Bench(Options options) {
    this.options = options;
    this.kafka = options.getKafkaBootstrapServers();
    this.cassandraHosts = options.getCassandraHosts();
    this.registry = options.getSchemaRegistryUrl();
    this.runnerReport = report;
  }

  public static void main(String[] args) throws Exception {
    Options options = CommandLine.parse(args, Options.class);
    List<String> problems = problems(options);
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("[bench] " + p));
      System.exit(1);
    }
    new Bench(options).run();
  }

  static final List<String> PHASES = List.of("ingest", "drain", "latency", "queries", "ceilings");
  static final List<String> RUNNERS = List.of("spark", "flink");

  /**
   * What is wrong with {@code o}, a line each (empty: nothing), checked before anything runs: a
   * misspelt phase would otherwise be skipped without a word, and a rate of 0 would end a long run
   * in a division by zero, or send without pause.
   */
  static List<String> problems(Options o) {
    List<String> problems = new ArrayList<>();
    for (String phase : o.getPhases().split(",")) {
      if (!PHASES.contains(phase)) {
        problems.add("--phases: unknown phase '" + phase + "' (" + String.join(", ", PHASES) + ")");
      }
    }
    for (String r : o.getRunners().split(",")) {
      if (!RUNNERS.contains(r)) {
        problems.add("--runners: unknown runner '" + r + "' (" + String.join(", ", RUNNERS) + ")");
      }
    }
    Map<String, Integer> positive = new java.util.LinkedHashMap<>();
    positive.put("--users", o.getUsers());
    positive.put("--rate", o.getRate());
    positive.put("--seconds", o.getSeconds());
    positive.put("--queryRate", o.getQueryRate());
    positive.put("--querySeconds", o.getQuerySeconds());
    positive.put("--queryClients", o.getQueryClients());
    positive.forEach((name, value) -> {
      if (value <= 0) {
        problems.add(name + " must be at least 1, not " + value);
      }
    });
    if (o.getCassandraWarmUpRows() < 0) {
      problems.add("--cassandraWarmUpRows must be 0 (no warm-up) or more, not " + o.getCassandraWarmUpRows());
    }
    if (o.getPoisonPercent() < 0 || o.getPoisonPercent() > 100) {
      problems.add("--poisonPercent must be from 0 to 100, not " + o.getPoisonPercent());
    }
    return problems;
  }

  private void run() throws Exception {
    List<String> phases = List.of(options.getPhases().split(","));
    int users = options.getUsers();
    report.put("startedAt", Instant.now().toString());
    report.set("machine", machine());
    say("benchmark %s: phases %s, %,d users, offered load %s users/s for %s s", id, phases, users,
        options.getRate(), options.getSeconds());
    if (phases.contains("ingest")) {
      ingest(users);
    }
    if (phases.contains("drain") || phases.contains("latency") || phases.contains("queries")
        || phases.contains("ceilings")) {
      List<String> runners = List.of(options.getRunners().split(","));
      warmUpCassandra();
      for (int i = 0; i < runners.size(); i++) {
        runner = runners.get(i);
        jobGroup = "bench-" + id + "-" + runner;
        runnerReport = i == 0 ? report : report.with("runners").putObject(runner);
        // The first runner runs every phase asked for; the others the drain and the latency phase.
        streamPhases(users, i == 0 ? phases : phases.stream().filter(List.of("drain", "latency")::contains).toList());
      }
      runnerReport = report;
      JsonNode flinkDrain = report.path("runners").path("flink").path("drain");
      if (report.has("drain") && flinkDrain.has("rowsPerSecond") && runners.get(0).equals("spark")) {
        double spark = report.get("drain").get("rowsPerSecond").asDouble();
        double flink = flinkDrain.get("rowsPerSecond").asDouble();
        target(flink >= spark, "Flink runner: drain at least the Spark runner's",
            String.format("%,.0f rows/s against %,.0f (%.0f%%)", flink, spark, 100 * flink / spark));
      }
    }
    report.set("memory", memory());
    print();
    write();
  }

  // ---- 1. ingest

  private void ingest(int users) throws Exception {
    int pages = Math.max(1, users / 5000);
    String tableName = "staging.bench_" + id;
    String topic = "bench-" + id + "-ingest";
    String pgUrl = options.getPostgresUrl();
    String pgUser = options.getPostgresUser();
    String pgPasswordFile = options.getPostgresPasswordFile();
    Properties pg = new Properties();
    pg.put("user", pgUser);
    pg.put("password", Files.readString(Path.of(pgPasswordFile), UTF_8).strip());
    try (Connection db = DriverManager.getConnection(pgUrl, pg); Admin admin = admin()) {
      execute(db, "CREATE TABLE " + tableName + " (LIKE staging.raw_users INCLUDING ALL)");
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(3), Optional.empty()))).all().get();
      try {
        IngestPipelineOptions ingest = PipelineOptionsFactory.fromArgs(
            "--runner=SparkRunner", "--sparkMaster=local[2]",
            "--apiUrl=" + options.getEmulatorUrl(), "--seed=bench-" + id,
            "--pages=" + pages, "--resultsPerPage=5000", "--maxRequestsPerSecond=100",
            // The local emulator limits no one: measure the pipeline, not the real API's budget.
            "--apiUsersPerWindow=0", "--postgresUrl=" + pgUrl,
            "--postgresUser=" + pgUser, "--postgresPasswordFile=" + pgPasswordFile, "--stagingTable=" + tableName,
            "--kafkaBootstrapServers=" + kafka, "--outputTopic=" + topic, "--schemaRegistryUrl=" + registry)
            .withValidation().as(IngestPipelineOptions.class);
        say("ingest: %,d users (%d pages of 5000) from %s into %s and %s", pages * 5000L, pages,
            ingest.getApiUrl(), tableName, topic);
        PhaseMeter meter = PhaseMeter.start("ingest", processes(null, "postgres", "kafka", "emulator", "registry"));
        Instant start = Instant.now();
        PipelineResult result = IngestPipeline.run(Pipeline.create(ingest), ingest);
        bounded(result, Duration.ofMinutes(10), "ingest");
        Instant end = Instant.now();
        PhaseMeter.Result machine = meter.stop();
        Map<String, Long> counts = IngestPipeline.counters(result);
        Instant lastFetch;
        Instant firstPublish;
        Instant lastPublish;
        try (Statement s = db.createStatement();
            ResultSet rs = s.executeQuery(
                "SELECT max(fetched_at), min(published_at), max(published_at) FROM " + tableName)) {
          rs.next();
          lastFetch = rs.getTimestamp(1).toInstant();
          firstPublish = rs.getTimestamp(2).toInstant();
          lastPublish = rs.getTimestamp(3).toInstant();
        }
        long fetched = counts.get(IngestMetrics.FETCHED);
        ObjectNode out = report.putObject("ingest").put("users", fetched);
        stage(out, "fetch", "ingest: fetch (start -> last page)", fetched, start, lastFetch);
        stage(out, "fetchAndStage", "ingest: fetch + stage (start -> staged)", counts.get(IngestMetrics.STAGED),
            start, firstPublish);
        stage(out, "publish", "ingest: publish + mark published", counts.get(IngestMetrics.PUBLISHED), firstPublish,
            lastPublish);
        stage(out, "overall", "ingest: overall (start -> done)", fetched, start, end);
        out.put("benchJvmPeakRssMiB", hwmKib(ProcessHandle.current().pid()) / 1024);
        recordMachine(machine);
        target(out.get("overall").get("perSecond").asDouble() >= 20_000, "ingest >= 20,000 users/s overall",
            String.format("%,.0f users/s", out.get("overall").get("perSecond").asDouble()));
      } finally {
        execute(db, "DROP TABLE IF EXISTS " + tableName);
        admin.deleteTopics(List.of(topic)).all().get();
      }
    }
  }

  private void stage(ObjectNode out, String key, String label, long users, Instant from, Instant to) {
    double seconds = Duration.between(from, to).toMillis() / 1000.0;
    out.putObject(key).put("seconds", seconds).put("users", users).put("perSecond", round(users / seconds));
    row(label, String.format("%.1f s, %,.0f users/s", seconds, users / seconds));
  }

  // ---- 2-4. the streaming job: drain, latency under load, ceilings

  private void streamPhases(int users, List<String> phases) throws Exception {
    say("streaming phases on the %s runner: %s", runner, phases);
    String topic = "bench-" + id + "-" + runner + "-raw";
    String dlq = "bench-" + id + "-" + runner + "-dlq";
    String keyspace = "bench_" + id + "_" + runner;
    String ceilingKeyspace = "bench_" + id + "_ceiling";
    Process job = null;
    try (Admin admin = admin(); CqlSession session = cassandra();
        KafkaProducer<byte[], byte[]> producer = producer()) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(3), Optional.empty()), new NewTopic(dlq, Optional.of(3), Optional.empty()))).all().get();
      CassandraSchema.apply(session, keyspace, REPLICATION);
      new SchemaRegistryClient(registry).register(UserSchema.subjectOf(topic), UserSchema.text());
      try {
        long t = System.nanoTime();
        // --poisonPercent mixes bad records in (the small poison payloads, in turn): the drain
        // then shows what dead-lettering costs the job.
        int poisonPercent = options.getPoisonPercent();
        List<byte[]> poison = SampleUsers.poisonPayloads().stream().filter(b -> b.length <= 64 * 1024).toList();
        int poisonSent = 0;
        for (int i = 0; i < users; i++) {
          SampleUsers.SampleUser user = SampleUsers.user("bench", i);
          producer.send(new ProducerRecord<>(topic, user.uuid().getBytes(UTF_8), user.json()));
          while (poisonPercent > 0 && (long) poisonSent * 100 < (long) (i + 1) * poisonPercent) {
            producer.send(new ProducerRecord<>(topic, ("poison-" + poisonSent).getBytes(UTF_8),
                poison.get(poisonSent % poison.size())));
            poisonSent++;
          }
        }
        producer.flush();
        runnerReport.put("poisonRecords", poisonSent);
        say("preloaded %,d users and %,d poison records into %s in %.1f s", users, poisonSent, topic,
            (System.nanoTime() - t) / 1e9);

        long jvmStart = System.nanoTime();
        Path log = Files.createTempFile("bench-job", ".log");
        job = startJob(topic, dlq, keyspace, log);
        say("streaming job started on the %s runner (pid %d, log %s)", runner, job.pid(), log);
        drain(session, admin, topic, keyspace, users, job, log, jvmStart);
        if (phases.contains("latency")) {
          latency(session, producer, topic, keyspace, job, log);
        }
        if (phases.contains("queries")) {
          queries(producer, topic, keyspace, users, job);
        }
        runnerReport.putObject("job").put("peakRssMiB", hwmKib(job.pid()) / 1024).put("cpuSeconds", cpuSeconds(job.pid()));
        stop(job);
        job = null;
        if (options.getProfile() && runnerReport == report) {
          profile();
        }
        if (phases.contains("ceilings")) {
          ceilings(session, topic, ceilingKeyspace, users);
        }
      } finally {
        if (job != null) {
          stop(job);
        }
        session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
        session.execute("DROP KEYSPACE IF EXISTS " + ceilingKeyspace);
        admin.deleteTopics(List.of(topic, dlq)).all().get();
      }
    }
  }

  private Path recording() {
    return Path.of(options.getOut()).toAbsolutePath().resolve("profile-job.jfr");
  }

  private Path cassandraRecording() {
    return Path.of(options.getOut()).toAbsolutePath().resolve("profile-cassandra-drain.jfr");
  }

  /** The recording of {@code who} (cassandra, api) during the look-ups of {@code kind}. */
  private Path queryRecording(String who, String kind) {
    return Path.of(options.getOut()).toAbsolutePath().resolve("profile-" + who + "-" + kind + ".jfr");
  }

  /** Starts async-profiler in the running JVM {@code pid}, recording its CPU into {@code jfr}. */
  private static void startProfile(long pid, Path jfr) throws IOException {
    try {
      AsyncProfiler.attach(pid, "stop"); // a profile left running by a benchmark that died
    } catch (IOException notRunning) {
      // the usual case
    }
    Files.createDirectories(jfr.getParent());
    AsyncProfiler.attach(pid, "start,event=cpu,interval=10ms,jfr,file=" + jfr);
  }

  /**
   * Profiles the stack's Cassandra from the first row to the last: async-profiler loaded into the
   * running server through the attach API (it stays loaded, stopped, until Cassandra restarts).
   */
  private void startCassandraProfile() throws IOException {
    long pid = stackPid("cassandra");
    startProfile(pid, cassandraRecording());
    say("profiling Cassandra (pid %d) during the drain into %s", pid, cassandraRecording());
  }

  /** The job's recording as flame graphs, whole and drain only, and the drain's CPU by component. */
  private void profile() throws IOException {
    Path jfr = recording();
    if (!Files.exists(jfr)) {
      throw new IllegalStateException("the profiler wrote no " + jfr + "; see the job's log");
    }
    ProfileSummary.convert(jfr, "profile-job", 0, 0);
    Path drain = ProfileSummary.convert(jfr, "profile-drain", drainFromMillis, drainToMillis);
    ObjectNode split = ProfileSummary.json(ProfileSummary.byComponent(drain));
    split.put("flameGraphJob", jfr.resolveSibling("profile-job.html").toString())
        .put("flameGraphDrain", jfr.resolveSibling("profile-drain.html").toString());
    report.set("profile", split);
    row("drain profile: job CPU by component", ProfileSummary.line(split));
    Path cassandra = ProfileSummary.convert(cassandraRecording(), "profile-cassandra-drain",
        "Cassandra during the drain", 0, 0);
    ObjectNode cassandraSplit = ProfileSummary.json(ProfileSummary.cassandraWork(cassandra));
    cassandraSplit.put("flameGraph", cassandraRecording().resolveSibling("profile-cassandra-drain.html").toString());
    split.set("cassandra", cassandraSplit);
    row("drain profile: Cassandra CPU by work", ProfileSummary.line(cassandraSplit));
    say("flame graphs: %s (JVM start to stop), %s (the drain) and %s (Cassandra during the drain)",
        jfr.resolveSibling("profile-job.html"), jfr.resolveSibling("profile-drain.html"),
        jfr.resolveSibling("profile-cassandra-drain.html"));
  }

  private Process startJob(String topic, String dlq, String keyspace, Path log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g"));
    // The stack's options for a job of the bundled jar: Java 17's opens and, for the Spark jar, its
    // class-data archive (made from that jar).
    String opts = runner.equals("spark") ? env("USERSTREAM_JOB_JAVA_OPTS", env("USERSTREAM_JAVA_OPTS", ""))
        : env("USERSTREAM_JAVA_OPTS", "");
    if (!opts.isBlank()) {
      cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
    }
    String jvmArgs = options.getJobJvmArgs().trim();
    if (!jvmArgs.isEmpty()) {
      cmd.addAll(Arrays.asList(jvmArgs.split("\\s+")));
    }
    report.put("jobJvmArgs", jvmArgs);
    boolean flink = runner.equals("flink");
    if (options.getProfile() && runnerReport == report) {
      Files.createDirectories(recording().getParent());
      // Written by the profiler when the job's JVM exits (stop() ends it with SIGTERM).
      cmd.add("-agentpath:" + AsyncProfiler.library() + "=start,event=cpu,interval=10ms,file=" + recording());
      say("profiling the streaming job into %s", recording());
    }
    Map<String, String> jobOptions = new java.util.LinkedHashMap<>();
    if (flink) {
      cmd.addAll(List.of("-jar", options.getFlinkJar()));
      jobOptions.put("runner", "FlinkRunner");
      jobOptions.put("flinkMaster", "[local]");
      // No --parallelism: the job's default, one reader subtask per input partition, is what is measured.
    } else {
      cmd.addAll(List.of("-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1", "-jar",
          options.getJar()));
      jobOptions.put("runner", "SparkRunner");
      jobOptions.put("sparkMaster", "local[2]");
      jobOptions.put("checkpointDir", Files.createTempDirectory("bench-checkpoint").toString());
    }
    jobOptions.put("kafkaBootstrapServers", kafka);
    jobOptions.put("inputTopic", topic);
    jobOptions.put("deadLetterTopic", dlq);
    jobOptions.put("schemaRegistryUrl", registry);
    jobOptions.put("consumerGroup", jobGroup);
    jobOptions.put("cassandraHosts", cassandraHosts);
    jobOptions.put("cassandraKeyspace", keyspace);
    // --jobArgs adds options or overrides these (e.g. --schemaRegistryUrl= to measure without validation).
    String jobArgs = options.getJobArgs().trim();
    for (String option : jobArgs.isEmpty() ? new String[0] : jobArgs.split("\\s+")) {
      int eq = option.indexOf('=');
      jobOptions.put(option.substring(2, eq < 0 ? option.length() : eq), eq < 0 ? "true" : option.substring(eq + 1));
    }
    jobOptions.forEach((name, value) -> cmd.add("--" + name + "=" + value));
    report.put("jobArgs", jobArgs);
    runnerReport.put("runner", jobOptions.get("runner"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  /**
   * From JVM start to the first row, then to the last: the job commits a record's offset only once
   * its row is written, so the drain is over when the group's lag is 0. Progress is read from Kafka,
   * not Cassandra: counting rows scans the table, and that work would be charged to the drain.
   */
  private void drain(CqlSession session, Admin admin, String topic, String keyspace, int users, Process job,
      Path log, long jvmStart) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    double firstRow = -1;
    while (firstRow < 0) {
      requireRunning(job, log, deadline, "drain");
      if (RetryingReads.retry("drain: first row", deadline,
          () -> session.execute("SELECT id FROM " + keyspace + ".users LIMIT 1").one()) != null) {
        firstRow = (System.nanoTime() - jvmStart) / 1e9;
      } else {
        Thread.sleep(50);
      }
    }
    say("drain: first row %.2f s after JVM start", firstRow);
    drainFromMillis = System.currentTimeMillis();
    if (options.getProfile()) {
      startCassandraProfile();
    }
    PhaseMeter meter = PhaseMeter.start("drain", processes(job, "cassandra", "kafka"));
    double jobCpuAtFirst = cpuSeconds(job.pid());
    double cassandraCpuAtFirst = stackCpuSeconds("cassandra");
    double lastRow = -1;
    long lastProgress = System.nanoTime();
    while (lastRow < 0) {
      requireRunning(job, log, deadline, "drain");
      long lag = ConsumerLag.of(admin, jobGroup, topic);
      if (lag == 0) {
        lastRow = (System.nanoTime() - jvmStart) / 1e9;
      } else {
        if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(10)) {
          say("drain: %,d records still to store", lag);
          lastProgress = System.nanoTime();
        }
        Thread.sleep(100);
      }
    }
    drainToMillis = System.currentTimeMillis();
    PhaseMeter.Result machine = meter.stop();
    if (options.getProfile()) {
      AsyncProfiler.attach(stackPid("cassandra"), "stop");
    }
    double drainSeconds = lastRow - firstRow;
    // Where the cores went while draining: the job against Cassandra (everything shares them).
    double jobCpu = cpuSeconds(job.pid()) - jobCpuAtFirst;
    double cassandraCpu = stackCpuSeconds("cassandra") - cassandraCpuAtFirst;
    long stored = RowCount.of(session, keyspace, "users").count(deadline);
    if (stored != users) {
      throw new IllegalStateException("drain: the job committed every offset but Cassandra holds " + stored
          + " rows of " + users + "; see " + log);
    }
    double available = drainSeconds * Runtime.getRuntime().availableProcessors();
    ObjectNode out = runnerReport.putObject("drain").put("users", users).put("jvmStartToFirstRowSeconds", firstRow)
        .put("jvmStartToLastRowSeconds", lastRow).put("rowsPerSecond", round(users / drainSeconds))
        .put("rowsPerSecondFromJvmStart", round(users / lastRow)).put("jobCpuSeconds", round(jobCpu))
        .put("cassandraCpuSeconds", round(cassandraCpu)).put("coreSecondsAvailable", round(available));
    row("drain: JVM start -> first row", String.format("%.2f s", firstRow));
    row("drain: JVM start -> last row", String.format("%.2f s", lastRow));
    row("drain: rows/s (first -> last row)", String.format("%,.0f", out.get("rowsPerSecond").asDouble()));
    row("drain: CPU, first -> last row", String.format("job %.0f s + Cassandra %.0f s of %.0f core-seconds"
        + " (job %.2f ms per row, Cassandra %.2f ms per row)", jobCpu, cassandraCpu, available, jobCpu * 1000 / users,
        cassandraCpu * 1000 / users));
    recordMachine(machine);
  }

  private void latency(CqlSession session, KafkaProducer<byte[], byte[]> producer, String topic, String keyspace,
      Process job, Path log) throws Exception {
    int rate = options.getRate();
    int seconds = options.getSeconds();
    int total = rate * seconds;
    long[] produced = new long[total];
    say("latency: offering %,d users/s for %d s", rate, seconds);
    // Generated before the clock starts, so that pacing measures the pipeline, not the generator.
    List<SampleUsers.SampleUser> load = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      load.add(SampleUsers.user("load-" + id, i));
    }
    PhaseMeter meter = PhaseMeter.start("latency", processes(job, "cassandra", "kafka"));
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    for (int i = 0; i < total; i++) {
      // Paced in 10 ms ticks: record i leaves at its scheduled time, not in bursts per second.
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      produced[i] = System.currentTimeMillis();
      producer.send(new ProducerRecord<>(topic, null, produced[i], load.get(i).uuid().getBytes(UTF_8),
          load.get(i).json()));
    }
    producer.flush();
    double offeredSeconds = (System.nanoTime() - start) / 1e9;
    // Every row written, or the phase's deadline.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    PreparedStatement writeTimes =
        session.prepare("SELECT id, WRITETIME(ingested_at) FROM " + keyspace + ".users WHERE id IN ?");
    Map<UUID, Long> written = new HashMap<>();
    List<UUID> ids = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      ids.add(UUID.fromString(load.get(i).uuid()));
    }
    while (written.size() < total) {
      requireRunning(job, log, deadline, "latency");
      List<UUID> missing = ids.stream().filter(u -> !written.containsKey(u)).collect(Collectors.toList());
      for (int from = 0; from < missing.size(); from += 100) {
        List<UUID> slice = missing.subList(from, Math.min(missing.size(), from + 100));
        for (Row r : RetryingReads.retry("latency: write times", deadline, () -> session.execute(writeTimes.bind(slice)).all())) {
          if (!r.isNull(1)) {
            written.put(r.getUuid(0), r.getLong(1) / 1000);
          }
        }
      }
      if (written.size() < total) {
        Thread.sleep(500);
      }
    }
    long[] latencies = new long[total];
    TreeMap<Integer, List<Long>> perSecond = new TreeMap<>();
    for (int i = 0; i < total; i++) {
      latencies[i] = Math.max(0, written.get(ids.get(i)) - produced[i]);
      perSecond.computeIfAbsent((int) ((produced[i] - startMillis) / 1000), s -> new ArrayList<>()).add(latencies[i]);
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    ObjectNode out = runnerReport.putObject("latency").put("offeredPerSecond", rate).put("seconds", seconds)
        .put("achievedPerSecond", round(total / offeredSeconds)).put("records", total)
        .put("p50Ms", Percentiles.of(sorted, 50)).put("p95Ms", Percentiles.of(sorted, 95))
        .put("p99Ms", Percentiles.of(sorted, 99)).put("maxMs", sorted[total - 1]);
    ArrayNode series = out.putArray("perSecond");
    perSecond.forEach((second, values) -> {
      long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
      series.addObject().put("second", second).put("records", v.length).put("p50Ms", Percentiles.of(v, 50))
          .put("p99Ms", Percentiles.of(v, 99)).put("maxMs", v[v.length - 1]);
    });
    row("latency: offered / achieved load", String.format("%,d / %,.0f users/s for %d s", rate,
        total / offeredSeconds, seconds));
    row("latency: p50 / p95 / p99 / max", String.format("%,d / %,d / %,d / %,d ms", Percentiles.of(sorted, 50),
        Percentiles.of(sorted, 95), Percentiles.of(sorted, 99), sorted[total - 1]));
    if (runner.equals("flink")) {
      target(Percentiles.of(sorted, 99) <= 100, "Flink runner: p99 end-to-end latency <= 100 ms at " + rate
          + " users/s", String.format("p99 %,d ms", Percentiles.of(sorted, 99)));
    } else {
      target(Percentiles.of(sorted, 99) <= 2000, "p99 end-to-end latency <= 2 s at " + rate + " users/s",
          String.format("p99 %,d ms", Percentiles.of(sorted, 99)));
    }
    recordMachine(meter.stop());
  }

  /**
   * The profiles API over the drained table ({@code users} profiles) while the job keeps writing
   * new users at {@code --rate}: look-ups by id, then by e-mail, each at {@code --queryRate} for
   * {@code --querySeconds} after a warm-up of each, open loop. The API runs as the stack runs it (its
   * bundled jar, its own JVM), pointed at the benchmark's keyspace.
   */
  private static final int WARM_UP_SECONDS = 15;

  private void queries(KafkaProducer<byte[], byte[]> producer, String topic, String keyspace, int users, Process job)
      throws Exception {
    Path apiLog = Files.createTempFile("bench-profiles-api", ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", options.getProfilesApiJar(), "--port=0", "--cassandraHosts=" + cassandraHosts,
        "--cassandraKeyspace=" + keyspace, "--cassandraLocalDatacenter=" + options.getCassandraLocalDatacenter()));
    if (!options.getCassandraPasswordFile().isEmpty()) {
      cmd.add("--cassandraUser=" + options.getCassandraUser());
      cmd.add("--cassandraPasswordFile=" + options.getCassandraPasswordFile());
    }
    Process api = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(apiLog.toFile()).start();
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = null;
    try {
      String base = apiBase(api, apiLog);
      // A sample of the drained users, each looked up by its id and by its e-mail (not the shared
      // user.user@example.com of names with no Latin letters).
      List<QueryLoad.Request> byId = new ArrayList<>();
      List<QueryLoad.Request> byEmail = new ArrayList<>();
      java.util.Random random = new java.util.Random(42);
      while (byId.size() < 2000) {
        SampleUsers.SampleUser user = SampleUsers.user("bench", random.nextInt(users));
        String email = JSON.readTree(user.json()).path("email").asText();
        byId.add(new QueryLoad.Request("/profiles/" + user.uuid(), user.uuid()));
        if (!email.startsWith("user.")) {
          byEmail.add(new QueryLoad.Request("/profiles?email=" + java.net.URLEncoder.encode(email, UTF_8) + "&limit=20",
              user.uuid()));
        }
      }
      int rate = options.getRate();
      writer = new Thread(() -> {
        long start = System.nanoTime();
        for (int i = 0; writing.get(); i++) {
          long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
          SampleUsers.SampleUser user = SampleUsers.user("queries-" + id, i);
          producer.send(new ProducerRecord<>(topic, user.uuid().getBytes(UTF_8), user.json()));
        }
      }, "bench-queries-writer");
      writer.start();
      say("queries: the profiles API at %s over %,d profiles, the job writing %,d users/s meanwhile", base, users,
          rate);
      URI baseUri = URI.create(base);
      InetSocketAddress address = new InetSocketAddress(baseUri.getHost(), baseUri.getPort());
      int clients = options.getQueryClients();
      // The stack's API is a long-lived server: measured once its JIT compiler has done most of its
      // work (after 5 s it still spent half the API's CPU).
      QueryLoad.run(address, byId, options.getQueryRate(), WARM_UP_SECONDS, clients, JSON.createObjectNode());
      QueryLoad.run(address, byEmail, options.getQueryRate(), WARM_UP_SECONDS, clients, JSON.createObjectNode());
      ObjectNode out = report.putObject("queries").put("profiles", users).put("writesPerSecond", rate);
      Map<String, DoubleSupplier> cpu = processes(job, "cassandra", "kafka");
      cpu.put("api", () -> cpuSeconds(api.pid()));
      for (String kind : List.of("byId", "byEmail")) {
        String label = "queries " + (kind.equals("byId") ? "by id" : "by e-mail");
        if (options.getProfile()) {
          startProfile(stackPid("cassandra"), queryRecording("cassandra", kind));
          startProfile(api.pid(), queryRecording("api", kind));
        }
        PhaseMeter meter = PhaseMeter.start(label, cpu);
        ObjectNode result = QueryLoad.run(address, kind.equals("byId") ? byId : byEmail, options.getQueryRate(),
            options.getQuerySeconds(), clients, out.putObject(kind));
        PhaseMeter.Result machine = meter.stop();
        result.set("machine", machine.json());
        row(label + ": p50 / p99 / max, errors",
            String.format("%.1f / %.1f / %.1f ms, %d errors of %,d (%,d requests/s offered, %,d achieved, %d clients)",
                result.get("p50Ms").asDouble(), result.get("p99Ms").asDouble(), result.get("maxMs").asDouble(),
                result.get("errors").asInt(), result.get("requests").asInt(), options.getQueryRate(),
                result.get("achievedPerSecond").asInt(), clients));
        row(label + ": machine", machine.summary());
        double requests = result.get("requests").asDouble();
        row(label + ": CPU per request", String.format("API %.2f ms, Cassandra %.2f ms (its writes included)",
            machine.json().at("/cpuSeconds/api").asDouble() * 1000 / requests,
            machine.json().at("/cpuSeconds/cassandra").asDouble() * 1000 / requests));
        if (options.getProfile()) {
          AsyncProfiler.attach(stackPid("cassandra"), "stop");
          AsyncProfiler.attach(api.pid(), "stop");
          Path cassandra = ProfileSummary.convert(queryRecording("cassandra", kind), "profile-cassandra-" + kind,
              "Cassandra during the look-ups " + label.substring(8), 0, 0);
          ObjectNode cassandraSplit = ProfileSummary.json(ProfileSummary.cassandraWork(cassandra));
          row(label + " profile: Cassandra CPU by work", ProfileSummary.line(cassandraSplit));
          Path apiProfile = ProfileSummary.convert(queryRecording("api", kind), "profile-api-" + kind,
              "the profiles API during the look-ups " + label.substring(8), 0, 0);
          ObjectNode apiSplit = ProfileSummary.json(ProfileSummary.byComponent(apiProfile));
          row(label + " profile: API CPU by component", ProfileSummary.line(apiSplit));
          result.putObject("profile").setAll(java.util.Map.of("cassandra", cassandraSplit, "api", apiSplit));
        }
      }
      out.put("apiPeakRssMiB", hwmKib(api.pid()) / 1024);
      double idP99 = out.at("/byId/p99Ms").asDouble();
      double emailP99 = out.at("/byEmail/p99Ms").asDouble();
      target(idP99 <= 10 && out.at("/byId/errors").asInt() == 0, "profile by id: p99 <= 10 ms at "
          + options.getQueryRate() + " requests/s, no errors", String.format("p99 %.1f ms, %d errors", idP99,
          out.at("/byId/errors").asInt()));
      target(emailP99 <= 30 && out.at("/byEmail/errors").asInt() == 0, "profiles by e-mail: p99 <= 30 ms at "
          + options.getQueryRate() + " requests/s, no errors", String.format("p99 %.1f ms, %d errors", emailP99,
          out.at("/byEmail/errors").asInt()));
    } finally {
      writing.set(false);
      if (writer != null) {
        writer.join();
      }
      stop(api);
    }
  }

  /** The API's address, from the line it logs once it listens (it was given port 0). */
  private static String apiBase(Process api, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    java.util.regex.Pattern listening = java.util.regex.Pattern.compile("profiles API listening on (http://[^/\\s]+)");
    while (true) {
      java.util.regex.Matcher m = listening.matcher(Files.readString(log));
      if (m.find()) {
        return m.group(1);
      }
      if (!api.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the profiles API did not start; its log " + log + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  private void ceilings(CqlSession session, String topic, String keyspace, int users) throws Exception {
    PhaseMeter meter = PhaseMeter.start("ceilings", processes(null, "cassandra", "kafka"));
    // Kafka: read the preloaded topic as fast as one consumer can.
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    long consumed = 0;
    double kafkaSeconds;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      long start = System.nanoTime();
      while (consumed < users && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          consumed += r.value() == null ? 0 : 1;
        }
      }
      kafkaSeconds = (System.nanoTime() - start) / 1e9;
    }
    double kafkaRate = round(Math.min(consumed, users) / kafkaSeconds);

    // Cassandra: the pipeline's own upsert of the same rows, async, 256 in flight.
    CassandraSchema.apply(session, keyspace, REPLICATION);
    double cassandraCpuBefore = stackCpuSeconds("cassandra");
    double cassandraSeconds = upsertAll(session, keyspace, "bench", users);
    double cassandraCpu = stackCpuSeconds("cassandra") - cassandraCpuBefore;
    double cassandraRate = round(users / cassandraSeconds);
    double slowest = Math.min(kafkaRate, cassandraRate);
    ObjectNode out = report.putObject("ceilings").put("kafkaConsumePerSecond", kafkaRate)
        .put("cassandraWritePerSecond", cassandraRate).put("slowest", slowest)
        .put("slowestIs", kafkaRate < cassandraRate ? "kafka consume" : "cassandra write");
    row("ceiling: raw Kafka consume", String.format("%,.0f records/s", kafkaRate));
    row("ceiling: raw Cassandra write (async, 256 in flight)", String.format("%,.0f rows/s (Cassandra CPU %.0f s,"
        + " %.2f ms per row)", cassandraRate, cassandraCpu, cassandraCpu * 1000 / users));
    out.put("cassandraCpuSecondsForCeiling", round(cassandraCpu));
    if (report.has("drain")) {
      double fraction = report.get("drain").get("rowsPerSecond").asDouble() / slowest;
      out.put("drainFractionOfSlowest", Math.round(fraction * 1000) / 1000.0);
      row("drain as a fraction of the slowest ceiling", String.format("%.0f %% of %s", fraction * 100,
          out.get("slowestIs").asText()));
      target(fraction >= 0.6, "stream drain >= 60% of the raw Cassandra write ceiling",
          String.format("%.0f %% of the %s ceiling", fraction * 100, out.get("slowestIs").asText()));
    }
    recordMachine(meter.stop());
  }

  /**
   * Upserts {@code users} sample profiles into {@code keyspace}.users as the pipeline's sink does
   * (the same statement), async with 256 in flight; returns the seconds it took.
   */
  private static double upsertAll(CqlSession session, String keyspace, String seed, int users) throws Exception {
    List<UserProfile> profiles = new ArrayList<>(users);
    Instant now = Instant.now();
    for (int i = 0; i < users; i++) {
      RawUser user = Json.MAPPER.readValue(SampleUsers.userJson(seed, i), RawUser.class);
      profiles.add(ProfileMapper.toProfile(user, now));
    }
    PreparedStatement insert = session.prepare(ProfileUpsert.insertCql(keyspace, "users"));
    Semaphore inFlight = new Semaphore(256);
    long start = System.nanoTime();
    List<Throwable> errors = new ArrayList<>();
    for (UserProfile p : profiles) {
      inFlight.acquire();
      session.executeAsync(ProfileUpsert.bind(insert, p)).whenComplete((rs, e) -> {
        if (e != null) {
          synchronized (errors) {
            errors.add(e);
          }
        }
        inFlight.release();
      });
    }
    inFlight.acquire(256);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!errors.isEmpty()) {
      throw new IllegalStateException(errors.size() + " of " + users + " upserts into " + keyspace
          + " failed; first: " + errors.get(0));
    }
    return seconds;
  }

  /**
   * Warms Cassandra's write path before the first runner's drain: a freshly started Cassandra
   * compiles it (JIT) during the first drain it serves, on the same two cores, and that drain was
   * the slower in every pair of runners compared. Untimed; the scratch keyspace is dropped.
   */
  private void warmUpCassandra() throws Exception {
    int rows = options.getCassandraWarmUpRows();
    if (rows <= 0) {
      return;
    }
    String keyspace = "bench_" + id + "_warmup";
    try (CqlSession session = cassandra()) {
      CassandraSchema.apply(session, keyspace, REPLICATION);
      try {
        double seconds = upsertAll(session, keyspace, "warmup", rows);
        say("warm-up: %,d upserts into Cassandra in %.1f s (not measured; --cassandraWarmUpRows=0 skips it)",
            rows, seconds);
      } finally {
        session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
      }
    }
  }

  /**
   * The processes a phase's CPU is split between: the streaming job (when there is one), the
   * stack's servers named, and this JVM (the producer, the ingest pipeline, the ceiling clients).
   */
  private static Map<String, DoubleSupplier> processes(Process job, String... stack) {
    Map<String, DoubleSupplier> out = new java.util.LinkedHashMap<>();
    if (job != null) {
      out.put("job", () -> cpuSeconds(job.pid()));
    }
    for (String name : stack) {
      out.put(name, () -> stackCpuSeconds(name));
    }
    // Without its children: the streaming job is one, and has its own entry.
    out.put("bench", () -> ownCpuSeconds(ProcessHandle.current().pid()));
    return out;
  }

  /** A phase's machine figures: into its section of the report, and a row of the table. */
  private void recordMachine(PhaseMeter.Result machine) {
    ((ObjectNode) runnerReport.get(machine.phase())).set("machine", machine.json());
    row(machine.phase() + ": machine", machine.summary());
  }

  // ---- memory and machine

  private ObjectNode memory() {
    ObjectNode out = JSON.createObjectNode();
    Path run = Path.of(env("USERSTREAM_HOME", ".userstream"), "run");
    try (var files = Files.list(run)) {
      for (Path pidFile : files.sorted().collect(Collectors.toList())) {
        String name = pidFile.getFileName().toString().replace(".pid", "");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        long kib = hwmKib(pid);
        if (kib > 0) {
          out.put(name, kib / 1024);
          row("peak RSS: " + name, (kib / 1024) + " MiB");
        }
      }
    } catch (IOException | NumberFormatException e) {
      out.put("error", "no stack PIDs under " + run + ": " + e.getMessage());
    }
    if (report.has("job")) {
      out.put("streaming job", report.get("job").get("peakRssMiB").asLong());
      row("peak RSS: streaming job", report.get("job").get("peakRssMiB").asLong() + " MiB");
    }
    out.put("benchmark JVM (ingest runs in it)", hwmKib(ProcessHandle.current().pid()) / 1024);
    row("peak RSS: benchmark JVM (ingest runs in it)", hwmKib(ProcessHandle.current().pid()) / 1024 + " MiB");
    return out;
  }

  private ObjectNode machine() throws Exception {
    ObjectNode m = JSON.createObjectNode().put("cores", Runtime.getRuntime().availableProcessors());
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        m.put("memoryGiB", Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0 * 10) / 10.0);
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
        break;
      }
    }
    m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    m.put("beam", org.apache.beam.sdk.util.ReleaseInfo.getReleaseInfo().getVersion());
    m.put("kafkaClients", org.apache.kafka.common.utils.AppInfoParser.getVersion());
    try {
      m.put("spark", String.valueOf(Class.forName("org.apache.spark.package").getMethod("SPARK_VERSION").invoke(null)));
    } catch (ReflectiveOperationException e) {
      m.put("spark", "not on the classpath");
    }
    try (CqlSession session = cassandra()) {
      m.put("cassandra", session.execute("SELECT release_version FROM system.local").one().getString(0));
    }
    return m;
  }

  // ---- output

  /** A row of the printed table; the streaming phases of a runner after the first say which. */
  private void row(String what, String value) {
    String prefix = runnerReport != null && runnerReport != report ? runner + ": " : "";
    table.add(String.format("| %s%s | %s |", prefix, what, value));
  }

  private void target(boolean met, String target, String measured) {
    ArrayNode targets = report.has("targets") ? (ArrayNode) report.get("targets") : report.putArray("targets");
    targets.addObject().put("target", target).put("measured", measured).put("met", met);
  }

  private void print() {
    System.out.println();
    System.out.println("| measure | value |");
    System.out.println("|---|---|");
    table.forEach(System.out::println);
    if (report.has("targets")) {
      System.out.println();
      System.out.println("| target | measured | met |");
      System.out.println("|---|---|---|");
      report.get("targets").forEach(t -> System.out.printf("| %s | %s | %s |%n", t.get("target").asText(),
          t.get("measured").asText(), t.get("met").asBoolean() ? "yes" : "**no**"));
    }
  }

  private void write() throws Exception {
    Path out = Path.of(options.getOut());
    Files.createDirectories(out);
    report.put("finishedAt", Instant.now().toString());
    JSON.writeValue(out.resolve("bench.json").toFile(), report);
    Path png = out.resolve("latency.png");
    if (report.has("latency")) {
      LatencyChart.write(report.get("latency"), png);
    }
    say("wrote %s%s", out.resolve("bench.json"), report.has("latency") ? " and " + png : "");
    if (options.getUpdateDocs()) {
      Path docs = Path.of("docs", "BENCHMARKS.md");
      Files.createDirectories(docs.getParent());
      if (report.has("latency")) {
        Files.copy(png, Path.of("docs", "latency.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.writeString(docs, BenchmarksDoc.render(report, table));
      say("updated %s", docs);
    }
  }

  // ---- helpers

  private static void bounded(PipelineResult result, Duration limit, String phase) throws IOException {
    PipelineResult.State state = result.waitUntilFinish(org.joda.time.Duration.millis(limit.toMillis()));
    if (state == null || !state.isTerminal()) {
      result.cancel();
      throw new IllegalStateException(phase + " did not finish within " + limit.toMinutes() + " min");
    }
  }

  private static void requireRunning(Process job, Path log, long deadline, String phase) {
    if (!job.isAlive()) {
      throw new IllegalStateException("the streaming job exited with status " + job.exitValue() + "; see " + log);
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(phase + " did not finish within its time bound; see " + log);
    }
  }

  private static void stop(Process job) throws InterruptedException {
    job.destroy();
    if (!job.waitFor(150, TimeUnit.SECONDS)) {
      job.destroyForcibly().waitFor();
    }
  }

  private Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    return Admin.create(p);
  }

  private CqlSession cassandra() {
    return new CassandraEndpoint(cassandraHosts, "system", "ONE")
        .withLocalDatacenter(options.getCassandraLocalDatacenter()).withLogin(options.getCassandraUser(), options.getCassandraPasswordFile()).connect();
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The PID the stack recorded for {@code name}, or -1. */
  /** The stack's process {@code name}; on the cluster stack ("kafka-1".."kafka-3"), its first node. */
  private static long stackPid(String name) {
    long pid = pidFile(name);
    return pid > 0 ? pid : pidFile(name + "-1");
  }

  /** CPU seconds of the stack's Kafka or Cassandra: its one process, or its three nodes together. */
  private static double stackCpuSeconds(String name) {
    double sum = Math.max(0, cpuSeconds(pidFile(name)));
    for (int node = 1; node <= 3; node++) {
      long pid = pidFile(name + "-" + node);
      if (pid > 0) {
        sum += Math.max(0, cpuSeconds(pid));
      }
    }
    return sum;
  }

  private static long pidFile(String name) {
    try {
      return Long.parseLong(Files.readString(Path.of(env("USERSTREAM_HOME", ".userstream"), "run", name + ".pid"))
          .strip());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static void execute(Connection db, String sql) throws Exception {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }


  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** Peak resident set size (VmHWM) of a process, in KiB; 0 where /proc does not tell. */
  static long hwmKib(long pid) {
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

  /**
   * User + system CPU seconds so far of a process and its descendants: the live ones, and those that
   * exited and were waited for (a PostgreSQL server's work is done in its backends). From /proc,
   * 100 ticks a second; -1 when the process is gone.
   */
  static double cpuSeconds(long pid) {
    long own = cpuTicks(pid);
    if (own < 0) {
      return -1;
    }
    long total = own;
    for (ProcessHandle descendant : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
      total += Math.max(0, cpuTicks(descendant.pid()));
    }
    return total / 100.0;
  }

  /** User + system CPU seconds of the process alone (its threads), or -1. */
  static double ownCpuSeconds(long pid) {
    long[] t = statTimes(pid);
    return t == null ? -1 : (t[0] + t[1]) / 100.0;
  }

  /** utime + stime + cutime + cstime of /proc/PID/stat, or -1. */
  private static long cpuTicks(long pid) {
    long[] t = statTimes(pid);
    return t == null ? -1 : t[0] + t[1] + t[2] + t[3];
  }

  /** utime, stime, cutime and cstime of /proc/PID/stat in ticks, or null. */
  private static long[] statTimes(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void say(String format, Object... values) {
    System.out.printf("[bench] " + format + "%n", values);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
