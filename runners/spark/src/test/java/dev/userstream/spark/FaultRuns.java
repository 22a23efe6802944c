package dev.userstream.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userstream.ingest.IngestPipeline;
import dev.userstream.testing.BundledJob;
import dev.userstream.testing.Feeder;
import dev.userstream.testing.IngestScenario;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the fault suites ({@link FaultsIT} on one node of each store, {@link ClusterFaultsIT} on
 * three) do the same way: a streaming job or an ingestion run through a fault, and the row of the
 * docs/RELIABILITY.md table each case leaves.
 */
final class FaultRuns {
  static final int USERS = 20_000;

  private FaultRuns() {}

  /** What a case does to the stack once the job has stored its first rows. */
  interface Fault {
    /** Breaks and mends the stack; returns what happened, with %,d for the rows stored before. */
    String inflict(LocalStack stack, BundledJob job) throws Exception;
  }

  /** The rows of one suite's table, written to target/reliability/{@code file} when the suite ends. */
  static final class Table {
    private final List<String> rows = new ArrayList<>();

    synchronized void add(String row) {
      rows.add(row);
    }

    synchronized void write(String file) throws IOException {
      Path out = Path.of("target", "reliability", file);
      Files.createDirectories(out.getParent());
      List<String> lines = new ArrayList<>();
      lines.add("| fault | what happened | records in | stored | dead-lettered | lost | duplicated rows |");
      lines.add("|---|---|---|---|---|---|---|");
      lines.addAll(rows);
      Files.write(out, lines, StandardCharsets.UTF_8);
    }
  }

  /**
   * One job streams the scenario's records, produced (a chunk every {@code feedPause}) while
   * {@code fault} happens; it must store every user and dead-letter every poison payload
   * ({@code deadLetterCopies} times, 0: at least once) without being restarted.
   */
  static void streamThrough(Table table, File checkpointDir, String name, String description, int deadLetterCopies,
      Duration feedPause, Fault fault) throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, USERS);
      String happened;
      try (Feeder feeder = Feeder.start(stack, scenario.records(), feedPause);
          BundledJob job = startStream(scenario, name + "-" + stack.id, checkpointDir)) {
        LocalStack.await(Duration.ofMinutes(3), () -> "first rows; log " + job.log,
            LocalStack.unchecked(() -> job.isAlive() && stack.rowCount() >= USERS / 10));
        long rowsBefore = stack.rowCount();
        happened = String.format(fault.inflict(stack, job), rowsBefore);
        feeder.awaitDone(Duration.ofMinutes(3));
        scenario.awaitDrained(Duration.ofMinutes(5), stack.consumerGroup, 1, job::isAlive);
      }
      record(table, scenario, description, happened);
      scenario.assertOutcome(deadLetterCopies);
    }
  }

  static BundledJob startStream(StreamScenario scenario, String name, File checkpointDir) throws Exception {
    List<String> args = new ArrayList<>(scenario.arguments());
    args.add("--runner=SparkRunner");
    args.add("--sparkMaster=local[2]");
    args.add(BundledJob.checkpointDir(checkpointDir));
    return BundledJob.start(BundledJob.jar("spark"), name, args);
  }

  /** The table row of a streaming case, from what Cassandra and the dead-letter topic hold now. */
  static void record(Table table, StreamScenario scenario, String fault, String happened) throws Exception {
    LocalStack stack = scenario.stack;
    Map<UUID, Map<String, Object>> rows = stack.rows();
    Set<UUID> expected = scenario.expectedIds();
    long lostUsers = expected.stream().filter(id -> !rows.containsKey(id)).count();
    long letters = stack.deadLetterCount();
    long lostLetters = Math.max(0, scenario.poison.size() - letters);
    table.add(String.format("| %s | %s | %,d (%,d users, %d poison) | %,d | %d (%d extra copies) | %d | 0 |",
        fault, happened, scenario.records().size(), scenario.goodUsers, scenario.poison.size(), rows.size(),
        letters, Math.max(0, letters - scenario.poison.size()), lostUsers + lostLetters));
  }

  /**
   * An ingestion run (paced so that it lasts a while) meets {@code fault} once it has staged its
   * first users; it either completes or fails with a clear reason ({@code mustComplete}: it
   * completes), and then a re-run completes. Every user the API served is then staged, published
   * and, after the streaming job, in Cassandra once.
   */
  static void ingestThrough(Table table, File checkpointDir, String server, String description, boolean mustComplete,
      Fault fault) throws Exception {
    final int pages = 40;
    final int results = 500;
    try (LocalStack stack = new LocalStack(); IngestScenario scenario = new IngestScenario(stack)) {
      Map<String, JsonNode> served = scenario.served(pages, results);
      List<String> args = scenario.args(pages, results, "--maxRequestsPerSecond=4", "--runner=SparkRunner",
          "--sparkMaster=local[2]");
      int firstStatus;
      String firstOutcome;
      String ingestLog;
      String happened;
      try (BundledJob ingest = BundledJob.startMain(BundledJob.jar("spark"), IngestPipeline.class.getName(),
          server + "-ingest-1-" + stack.id, args)) {
        LocalStack.await(Duration.ofMinutes(2), () -> "first staged users; log " + ingest.log,
            LocalStack.unchecked(() -> ingest.isAlive() && scenario.table.rows() > 0));
        happened = String.format(fault.inflict(stack, ingest), scenario.table.rows());
        firstStatus = ingest.awaitExit(Duration.ofMinutes(5));
        ingestLog = ingest.output();
        firstOutcome = lastLine(ingestLog, firstStatus == 0 ? "Ingestion done" : "Ingestion failed");
      }
      if (mustComplete) {
        assertThat("the run meeting the fault completes; log " + ingestLog.length() + " chars: " + firstOutcome,
            firstStatus, equalTo(0));
      }
      if (firstStatus != 0) {
        assertThat("a failed run says why", firstOutcome, containsString("Ingestion failed: "));
        if (server.equals("postgres")) {
          assertThat("and names the database", firstOutcome, containsString("Ingestion failed: PostgreSQL: "));
        }
        // One readable line: a failed JDBC batch's own message would quote every payload of the batch.
        assertThat("a short reason: " + firstOutcome.substring(0, Math.min(300, firstOutcome.length())),
            firstOutcome.length(), lessThan(400));
        // Nor does the job's log hold the API's secrets: "password" as hex, as JDBC would quote it.
        assertThat("the failed run's log quotes no payload", ingestLog, not(containsString("70617373776f7264")));
      }
      try (BundledJob rerun = BundledJob.startMain(BundledJob.jar("spark"), IngestPipeline.class.getName(),
          server + "-ingest-2-" + stack.id, args)) {
        assertThat("the re-run completes; log " + rerun.log, rerun.awaitExit(Duration.ofMinutes(5)), equalTo(0));
      }
      assertThat("every served user staged", scenario.table.keys(""), equalTo(served.keySet()));
      assertThat("every staged user published", scenario.table.unpublished(), equalTo(0L));
      List<ConsumerRecord<byte[], byte[]>> published = stack.records(stack.inputTopic);
      Set<String> keys = published.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
          .collect(Collectors.toSet());
      assertThat("every served user in Kafka", keys, equalTo(served.keySet()));

      // The streaming job's settings for this test's topics, keyspace and group (no users of its own).
      try (BundledJob stream = startStream(new StreamScenario(stack, 0), server + "-stream-" + stack.id,
          checkpointDir)) {
        LocalStack.await(Duration.ofMinutes(4), () -> stack.rowCount() + " of " + served.size() + " rows",
            LocalStack.unchecked(() -> stream.isAlive() && stack.rowCount() >= served.size()
                && stack.lag(stack.consumerGroup) == 0));
      }
      Set<String> stored = stack.rows().keySet().stream().map(UUID::toString).collect(Collectors.toSet());
      int lost = served.size() - (int) served.keySet().stream().filter(stored::contains).count();
      table.add(String.format("| %s | %s; first run: %s; re-run: exit 0;"
              + " %,d records in the topic for %,d users (re-sent ones are upserts) | %,d | %,d | 0 | %d | 0 |",
          description, happened, firstStatus == 0 ? "exit 0" : "exit " + firstStatus + ", `" + firstOutcome + "`",
          published.size(), served.size(), served.size(), stored.size(), lost));
      assertThat("exactly the served users stored", stored, equalTo(served.keySet()));
    }
  }

  /** Waits until the test's own Cassandra session answers again. */
  static void awaitReachable(LocalStack stack) throws InterruptedException {
    AtomicReference<String> last = new AtomicReference<>("");
    LocalStack.await(Duration.ofMinutes(2), () -> "Cassandra back: " + last.get(), () -> {
      try {
        stack.rowCount();
        return true;
      } catch (RuntimeException e) {
        last.set(e.toString());
        return false;
      }
    });
  }

  private static String lastLine(String output, String prefix) {
    String found = "";
    for (String line : output.split("\n")) {
      int at = line.indexOf(prefix);
      if (at >= 0) {
        found = line.substring(at).strip();
      }
    }
    return found;
  }

  /** {@code infra/stack.py} of this checkout, with the environment the test runs in (the stack's). */
  static final class StackControl {
    private StackControl() {}

    static void run(String... args) throws IOException, InterruptedException {
      Path repo = Path.of("").toAbsolutePath().getParent().getParent();
      List<String> command = new ArrayList<>(List.of("python3", repo.resolve("infra/stack.py").toString()));
      command.addAll(List.of(args));
      File log = Path.of("target", "reliability", "stack-" + String.join("-", args) + ".log").toFile();
      Files.createDirectories(log.toPath().getParent());
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("stack.py " + String.join(" ", args) + " did not finish within 5 min; see " + log);
      }
      assertThat("stack.py " + String.join(" ", args) + "; see " + log, p.exitValue(), equalTo(0));
    }
  }
}
