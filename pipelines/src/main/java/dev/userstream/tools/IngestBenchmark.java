package dev.userstream.tools;

import dev.userstream.ingest.IngestMetrics;
import dev.userstream.ingest.IngestPipeline;
import dev.userstream.ingest.IngestPipelineOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Ingestion benchmark: IngestPipeline on the Spark runner (local[2], in this JVM) fetching N users
 * (pages of 5000) from the API into a fresh staging table and topic, then a table of users/s per
 * stage and overall, and this JVM's peak RSS. Stage spans come from the rows themselves: fetch from
 * the run's start to the last page's fetch time, staging until publishing began (publishing waits
 * for staging), publishing from the first to the last row marked published.
 *
 * <p>Run from the bundled Spark jar under {@code infra/stack.py with} (make bench-ingest), which
 * exports the endpoints. The table and topic are dropped at the end.
 */
public final class IngestBenchmark {
  private IngestBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv,
        "IngestBenchmark --users=N --sparkMaster=local[2] --apiUrl=URL --pipelineArgs='--opt=value ...'",
        "users", "sparkMaster", "apiUrl", "pipelineArgs");
    int users = (int) args.getLong("users", 200_000);
    int pages = Math.max(1, users / 5000);
    String id = Long.toString(System.currentTimeMillis(), 36);
    String table = "staging.bench_" + id;
    String topic = "bench-" + id + "-raw";
    String bootstrap = env("USERSTREAM_KAFKA", "127.0.0.1:19092");
    String pgUrl = env("USERSTREAM_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:15432/userstream");
    String pgUser = env("USERSTREAM_POSTGRES_USER", "userstream");
    String pgPasswordFile = env("USERSTREAM_POSTGRES_PASSWORD_FILE", ".userstream/secrets/postgres.password");

    Properties pg = new Properties();
    pg.put("user", pgUser);
    pg.put("password", Files.readString(Path.of(pgPasswordFile), StandardCharsets.UTF_8).strip());
    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Connection db = DriverManager.getConnection(pgUrl, pg); Admin admin = Admin.create(ap)) {
      execute(db, "CREATE TABLE " + table + " (LIKE staging.raw_users INCLUDING ALL)");
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      try {
        List<String> pipelineArgs = new java.util.ArrayList<>(List.of(
            "--runner=SparkRunner",
            "--sparkMaster=" + args.get("sparkMaster", "local[2]"),
            "--apiUrl=" + args.get("apiUrl", env("USERSTREAM_API_URL", "http://127.0.0.1:18500/api/")),
            "--seed=bench-" + id,
            "--pages=" + pages,
            "--resultsPerPage=5000",
            "--maxRequestsPerSecond=100",
            "--postgresUrl=" + pgUrl,
            "--postgresUser=" + pgUser,
            "--postgresPasswordFile=" + pgPasswordFile,
            "--stagingTable=" + table,
            "--kafkaBootstrapServers=" + bootstrap,
            "--outputTopic=" + topic));
        String extra = args.get("pipelineArgs", "").trim();
        if (!extra.isEmpty()) {
          pipelineArgs.addAll(List.of(extra.split("\\s+")));
        }
        IngestPipelineOptions options = PipelineOptionsFactory.fromArgs(pipelineArgs.toArray(new String[0]))
            .withValidation().as(IngestPipelineOptions.class);
        System.out.printf("ingesting %,d users (%d pages of 5000) from %s on %s%n",
            pages * 5000L, pages, options.getApiUrl(), args.get("sparkMaster", "local[2]"));
        Instant start = Instant.now();
        PipelineResult result = IngestPipeline.run(Pipeline.create(options), options);
        result.waitUntilFinish();
        Instant end = Instant.now();
        Map<String, Long> counts = IngestPipeline.counters(result);
        Instant lastFetch;
        Instant firstPublish;
        Instant lastPublish;
        try (Statement s = db.createStatement();
            ResultSet rs = s.executeQuery("SELECT max(fetched_at), min(published_at), max(published_at) FROM " + table)) {
          rs.next();
          lastFetch = rs.getTimestamp(1).toInstant();
          firstPublish = rs.getTimestamp(2).toInstant();
          lastPublish = rs.getTimestamp(3).toInstant();
        }
        long n = counts.get(IngestMetrics.FETCHED);
        System.out.println();
        System.out.printf("%-36s %10s %12s%n", "stage", "seconds", "users/s");
        row("fetch (start -> last page)", n, start, lastFetch);
        row("fetch + stage (start -> staged)", counts.get(IngestMetrics.STAGED), start, firstPublish);
        row("publish + mark published", counts.get(IngestMetrics.PUBLISHED), firstPublish, lastPublish);
        row("overall (pipeline start -> done)", n, start, end);
        System.out.printf("%ncounters %s%npeak RSS of this JVM (driver and local executors): %s%n", counts, peakRss());
      } finally {
        execute(db, "DROP TABLE IF EXISTS " + table);
        admin.deleteTopics(List.of(topic)).all().get();
      }
    }
  }

  private static void row(String what, long users, Instant from, Instant to) {
    double seconds = Duration.between(from, to).toMillis() / 1000.0;
    System.out.printf("%-36s %10.1f %,12.0f%n", what, seconds, users / seconds);
  }

  private static void execute(Connection db, String sql) throws Exception {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }

  private static String peakRss() throws Exception {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("VmHWM:")).map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
