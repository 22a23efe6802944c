package dev.userstream.console;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.kafka.DeadLetterHeaders;
import dev.userstream.shared.Percentiles;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every component on a schedule of its own, in the background, into sections the HTTP
 * API serves at once: a slow or dead component makes its own section say so, and nothing waits.
 */
final class Sampler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Points kept per chart: 30 minutes at one every 3 s. */
  static final int HISTORY = 600;

  private final ConsoleSettings settings;
  private final Map<String, ObjectNode> sections = new ConcurrentHashMap<>();
  private final ArrayNode history = JSON.createArrayNode();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4, r -> {
    Thread t = new Thread(r, "console-sampler");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private KafkaProbe kafka;
  private CqlSession session;
  private Map<String, Long> lastEnds = new HashMap<>();
  private long lastSampleNanos;

  Sampler(ConsoleSettings settings) {
    this.settings = settings;
  }

  void start() {
    int every = settings.sampleSeconds();
    schedule("kafka", this::sampleKafka, every);
    schedule("deadLetters", this::sampleDeadLetters, every * 2);
    schedule("latency", this::sampleLatency, every * 2);
    schedule("staging", this::sampleStaging, every * 2);
    schedule("schemas", this::sampleSchemas, every * 3);
    schedule("links", this::sampleLinks, every * 3);
    schedule("cassandra", this::sampleCassandra, Math.max(10, every * 5));
  }

  /** Everything, as of each section's last sample. */
  ObjectNode overview() {
    ObjectNode out = JSON.createObjectNode().put("time", System.currentTimeMillis());
    ObjectNode settingsJson = out.putObject("settings").put("inputTopic", settings.inputTopic())
        .put("deadLetterTopic", settings.deadLetterTopic()).put("streamGroup", settings.streamGroup())
        .put("stagingTable", settings.stagingTable()).put("keyspace", settings.keyspace())
        .put("sampleSeconds", settings.sampleSeconds());
    settingsJson.put("registryUrl", settings.registryUrl());
    for (String name : List.of("kafka", "deadLetters", "latency", "staging", "schemas", "links", "cassandra")) {
      ObjectNode section = sections.get(name);
      out.set(name, section == null ? JSON.createObjectNode().put("up", false).put("error", "not sampled yet") : section);
    }
    synchronized (history) {
      out.set("history", history.deepCopy());
    }
    return out;
  }

  private void schedule(String name, Supplier<ObjectNode> probe, int seconds) {
    scheduler.scheduleWithFixedDelay(() -> {
      long started = System.currentTimeMillis();
      ObjectNode section;
      try {
        section = probe.get();
      } catch (Exception e) {
        section = JSON.createObjectNode().put("up", false).put("error", describe(e));
        LOG.debug("{} sample failed", name, e);
      }
      section.put("sampledAt", started);
      sections.put(name, section);
    }, 0, seconds, TimeUnit.SECONDS);
  }

  // ---- Kafka: topics, rates, groups, lag

  private ObjectNode sampleKafka() {
    try {
      if (kafka == null) {
        kafka = new KafkaProbe(settings.kafka());
      }
      ObjectNode out = kafka.sample(settings.streamGroup(), settings.inputTopic());
      long now = System.nanoTime();
      double seconds = lastSampleNanos == 0 ? 0 : (now - lastSampleNanos) / 1e9;
      Map<String, Long> ends = new HashMap<>();
      ObjectNode rates = JSON.createObjectNode();
      for (JsonNode topic : out.get("topics")) {
        String name = topic.get("name").asText();
        long end = topic.get("endOffsets").asLong();
        ends.put(name, end);
        Long before = lastEnds.get(name);
        double rate = before == null || seconds == 0 ? 0 : Math.max(0, end - before) / seconds;
        ((ObjectNode) topic).put("rate", Math.round(rate * 10) / 10.0);
        if (rate > 0 || name.equals(settings.inputTopic()) || name.equals(settings.deadLetterTopic())) {
          rates.put(name, Math.round(rate * 10) / 10.0);
        }
      }
      lastEnds = ends;
      lastSampleNanos = now;
      ObjectNode lags = JSON.createObjectNode();
      for (JsonNode group : out.get("groups")) {
        if (group.get("stream").asBoolean() || group.get("lag").asLong() > 0) {
          lags.put(group.get("group").asText(), group.get("lag").asLong());
        }
      }
      ObjectNode point = JSON.createObjectNode().put("t", System.currentTimeMillis());
      point.set("rates", rates);
      point.set("lag", lags);
      ObjectNode latency = sections.get("latency");
      if (latency != null && latency.has("p95")) {
        point.put("latencyP95", latency.get("p95").asLong());
      }
      synchronized (history) {
        history.add(point);
        while (history.size() > HISTORY) {
          history.remove(0);
        }
      }
      return out;
    } catch (Exception e) {
      closeKafka();
      throw new IllegalStateException("Kafka at " + settings.kafka() + ": " + describe(e), e);
    }
  }

  private ObjectNode sampleDeadLetters() {
    KafkaProbe probe = kafkaOrFail();
    ObjectNode out = JSON.createObjectNode().put("up", true).put("topic", settings.deadLetterTopic());
    List<ConsumerRecord<byte[], byte[]>> tail;
    synchronized (probe) {
      out.put("count", probe.countCommitted(settings.deadLetterTopic()));
      tail = probe.tail(settings.deadLetterTopic(), 10);
    }
    tail.sort(Comparator.comparingLong(ConsumerRecord<byte[], byte[]>::timestamp).reversed());
    ArrayNode recent = out.putArray("recent");
    for (ConsumerRecord<byte[], byte[]> r : tail.subList(0, Math.min(10, tail.size()))) {
      String payload = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
      recent.addObject().put("time", r.timestamp())
          .put("stage", KafkaProbe.header(r, DeadLetterHeaders.STAGE))
          .put("reason", KafkaProbe.header(r, DeadLetterHeaders.ERROR_MESSAGE))
          .put("source", KafkaProbe.header(r, DeadLetterHeaders.SOURCE))
          .put("sample", payload.length() > 300 ? payload.substring(0, 300) + "..." : payload)
          .put("bytes", r.value() == null ? 0 : r.value().length);
    }
    return out;
  }

  /** Produced (Kafka record time) to stored (Cassandra write time) for the newest input records. */
  private ObjectNode sampleLatency() {
    KafkaProbe probe = kafkaOrFail();
    List<ConsumerRecord<byte[], byte[]>> tail;
    synchronized (probe) {
      tail = probe.tail(settings.inputTopic(), 20);
    }
    Map<UUID, Long> produced = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : tail) {
      try {
        produced.put(UUID.fromString(new String(r.key(), StandardCharsets.UTF_8)), r.timestamp());
      } catch (RuntimeException notAUserKey) {
        // A poison record: it has no row to measure.
      }
    }
    ObjectNode out = JSON.createObjectNode().put("up", true).put("sampled", produced.size());
    if (produced.isEmpty()) {
      return out;
    }
    List<Long> latencies = new ArrayList<>();
    CqlSession s = session();
    for (Row row : s.execute(SimpleStatement.newInstance("SELECT id, WRITETIME(ingested_at) AS w FROM "
        + settings.keyspace() + ".users WHERE id IN ?", new ArrayList<>(produced.keySet())))) {
      if (!row.isNull("w")) {
        latencies.add(Math.max(0, row.getLong("w") / 1000 - produced.get(row.getUuid("id"))));
      }
    }
    latencies.sort(null);
    out.put("stored", latencies.size()).put("pending", produced.size() - latencies.size());
    if (!latencies.isEmpty()) {
      out.put("p50", Percentiles.of(latencies, 50)).put("p95", Percentiles.of(latencies, 95))
          .put("max", latencies.get(latencies.size() - 1));
    }
    return out;
  }

  /** The password in {@code file}; the error names the file, never its content. */
  private static String readSecret(String file, String what) {
    try {
      return Files.readString(Path.of(file)).strip();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the " + what + " password file " + file);
    }
  }

  private ObjectNode sampleStaging() {
    String password = settings.postgresPasswordFile().isBlank() ? ""
        : readSecret(settings.postgresPasswordFile(), "PostgreSQL");
    Properties p = new Properties();
    p.put("user", settings.postgresUser());
    p.put("password", password);
    p.put("connectTimeout", "3");
    p.put("socketTimeout", "15");
    try (Connection c = DriverManager.getConnection(settings.postgresUrl(), p);
        Statement st = c.createStatement()) {
      st.setQueryTimeout(10);
      if (!settings.stagingTable().matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")) {
        throw new IllegalArgumentException("stagingTable must be a plain name, was " + settings.stagingTable());
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*), count(published_at), max(fetched_at) FROM "
          + settings.stagingTable())) {
        rs.next();
        long staged = rs.getLong(1);
        long published = rs.getLong(2);
        ObjectNode out = JSON.createObjectNode().put("up", true).put("table", settings.stagingTable())
            .put("staged", staged).put("published", published).put("unpublished", staged - published);
        if (rs.getTimestamp(3) != null) {
          out.put("lastFetchedAt", rs.getTimestamp(3).getTime());
        }
        return out;
      }
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL at " + settings.postgresUrl() + ": " + describe(e), e);
    }
  }

  /**
   * Rows in the users table as Cassandra estimates them ({@code system.table_estimates}, summed
   * over the node's primary ranges): no read of the table, where {@code count(*)} scanned every
   * row each time and added a full scan to a node that may already be timing out reads. The
   * estimate covers what is flushed to disk and is refreshed every minute on the local stack
   * ({@code cassandra.size_recorder_interval}), so it trails the writes; the page says so.
   */
  private ObjectNode sampleCassandra() {
    try {
      SimpleStatement estimate = SimpleStatement.newInstance(
          "SELECT partitions_count FROM system.table_estimates WHERE keyspace_name = ? AND table_name = 'users'"
              + " AND range_type = 'primary'", settings.keyspace());
      long rows = 0;
      for (Row r : session().execute(estimate)) {
        rows += r.getLong(0);
      }
      ObjectNode out = JSON.createObjectNode().put("up", true).put("keyspace", settings.keyspace())
          .put("rowsEstimate", rows);
      // Each node as the driver sees it: one down leaves the others writing at quorum, silently.
      ArrayNode nodes = out.putArray("nodes");
      ArrayNode down = out.putArray("nodesDown");
      session().getMetadata().getNodes().values().stream()
          .sorted(Comparator.comparing(n -> n.getEndPoint().toString()))
          .forEach(n -> {
            String address = n.getEndPoint().toString().replaceFirst("^/", "");
            boolean nodeUp = n.getState() == com.datastax.oss.driver.api.core.metadata.NodeState.UP;
            nodes.addObject().put("address", address).put("up", nodeUp).put("state", n.getState().name());
            if (!nodeUp) {
              down.add(address);
            }
          });
      return out;
    } catch (Exception e) {
      closeCassandra();
      throw new IllegalStateException("Cassandra at " + settings.cassandra() + ": " + describe(e), e);
    }
  }

  private ObjectNode sampleSchemas() {
    JsonNode subjects = get(settings.registryUrl() + "/subjects");
    JsonNode config = get(settings.registryUrl() + "/config");
    ObjectNode out = JSON.createObjectNode().put("up", true).put("url", settings.registryUrl())
        .put("compatibility", config.path("compatibilityLevel").asText()).put("subjectCount", subjects.size());
    List<String> names = new ArrayList<>();
    subjects.forEach(s -> names.add(s.asText()));
    String watched = settings.inputTopic() + "-value";
    names.sort(Comparator.comparing((String s) -> !s.equals(watched)).thenComparing(s -> s));
    ArrayNode list = out.putArray("subjects");
    for (String subject : names.subList(0, Math.min(50, names.size()))) {
      String encoded = URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
      JsonNode latest = get(settings.registryUrl() + "/subjects/" + encoded + "/versions/latest");
      JsonNode versions = get(settings.registryUrl() + "/subjects/" + encoded + "/versions");
      list.addObject().put("subject", subject).put("latestVersion", latest.path("version").asInt())
          .put("id", latest.path("id").asInt()).put("versions", versions.size())
          .put("schemaType", latest.path("schemaType").asText("AVRO"));
    }
    return out;
  }

  private ObjectNode sampleLinks() {
    ObjectNode out = JSON.createObjectNode().put("up", true);
    ObjectNode spark = out.putObject("spark").put("url", settings.sparkLink());
    try {
      JsonNode master = get(settings.sparkUi() + "/json/");
      spark.put("up", true).put("workers", master.path("aliveworkers").asInt())
          .put("activeApps", master.path("activeapps").size());
    } catch (Exception e) {
      spark.put("up", false).put("error", describe(e));
    }
    ObjectNode flink = out.putObject("flink").put("url", settings.flinkLink());
    try {
      JsonNode overview = get(settings.flinkUi() + "/overview");
      flink.put("up", true).put("taskManagers", overview.path("taskmanagers").asInt())
          .put("slotsAvailable", overview.path("slots-available").asInt())
          .put("slotsTotal", overview.path("slots-total").asInt())
          .put("runningJobs", overview.path("jobs-running").asInt());
    } catch (Exception e) {
      flink.put("up", false).put("error", describe(e));
    }
    ObjectNode airflow = out.putObject("airflow").put("url", settings.airflowLink());
    try {
      JsonNode health = get(settings.airflowUi() + "/api/v2/monitor/health");
      airflow.put("up", true).put("scheduler", health.path("scheduler").path("status").asText("unknown"));
    } catch (Exception e) {
      airflow.put("up", false).put("error", describe(e));
    }
    out.putObject("registry").put("url", settings.registryUrl());
    ObjectNode profiles = out.putObject("profiles").put("url", settings.profilesApi());
    try {
      profiles.put("up", "up".equals(get(settings.profilesApi() + "/health").path("status").asText()));
    } catch (Exception e) {
      profiles.put("up", false).put("error", describe(e));
    }
    return out;
  }

  // ---- helpers

  private JsonNode get(String url) {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(url + " answered HTTP " + response.statusCode());
      }
      return JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(url + ": " + describe(e), e);
    }
  }

  private synchronized KafkaProbe kafkaOrFail() {
    if (kafka == null) {
      throw new IllegalStateException("Kafka at " + settings.kafka() + " is not reachable");
    }
    return kafka;
  }

  private synchronized CqlSession session() {
    if (session == null) {
      session = new CassandraEndpoint(settings.cassandra(), settings.keyspace(), "ONE")
          .withLocalDatacenter(settings.cassandraLocalDatacenter())
          .withLogin(settings.cassandraUser(), settings.cassandraPasswordFile())
          .connect();
    }
    return session;
  }

  private synchronized void closeCassandra() {
    if (session != null) {
      session.closeAsync();
    }
    session = null;
  }

  private synchronized void closeKafka() {
    if (kafka != null) {
      kafka.close();
    }
    kafka = null;
  }

  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    closeKafka();
    closeCassandra();
  }
}
