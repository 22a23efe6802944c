package dev.userstream.spark;

import static dev.userstream.spark.FaultRuns.USERS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.userstream.spark.FaultRuns.StackControl;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamJobCases;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Breaks the real local stack on purpose while the pipelines run, and checks that nothing is lost
 * and no row is duplicated: the streaming job SIGKILLed, Cassandra stopped for 30 s, the Kafka
 * broker restarted while streaming and while ingesting, PostgreSQL restarted while ingesting.
 * Servers are stopped and started with {@code infra/stack.py stop|up}, as an operator would.
 * Each case writes its row of the table in {@code docs/RELIABILITY.md} to
 * {@code target/reliability/faults.md}; {@link ClusterFaultsIT} does the same on three nodes.
 */
public class FaultsIT {
  /** How long the Cassandra outage lasts, as the issue asks. */
  private static final Duration CASSANDRA_OUTAGE = Duration.ofSeconds(30);
  /** The feeder's pause between chunks of 500 records: the stream spans each fault. */
  private static final Duration FEED_PAUSE = Duration.ofMillis(100);
  private static final FaultRuns.Table TABLE = new FaultRuns.Table();

  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @AfterClass
  public static void writeTable() throws Exception {
    TABLE.write("faults.md");
  }

  @Test
  public void streamingJobKilledWithSigkillMidStreamAndRestarted() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, USERS);
      long rowsAtKill = StreamJobCases.killMidStreamAndRestart(scenario,
          name -> FaultRuns.startStream(scenario, name, checkpoints.newFolder()));
      FaultRuns.record(TABLE, scenario, "streaming job SIGKILLed mid-stream, then started again",
          String.format("killed at %,d rows", rowsAtKill) + " while records kept arriving; the second run resumed"
              + " from the offsets committed after the last stored bundle");
    }
  }

  @Test
  public void cassandraStoppedForThirtySecondsWhileRecordsFlow() throws Exception {
    // Exactly one dead letter per poison payload: the job never restarts, nothing is redone.
    FaultRuns.streamThrough(TABLE, checkpoints.newFolder(), "cassandra",
        "Cassandra stopped for 30 s while records flow, then started", 1, FEED_PAUSE, (stack, job) -> {
          long stoppedAt = System.nanoTime();
          StackControl.run("stop", "cassandra");
          // The fault itself: Cassandra stays down this long while records keep arriving.
          Thread.sleep(CASSANDRA_OUTAGE.toMillis());
          assertThat("the job waits the outage out", job.isAlive(), equalTo(true));
          StackControl.run("up", "cassandra");
          long outageSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stoppedAt);
          FaultRuns.awaitReachable(stack);
          return "stopped at %,d rows; down " + outageSeconds + " s in all (30 s stopped + its start);"
              + " the job retried its writes, never failed, and went on";
        });
  }

  @Test
  public void kafkaBrokerRestartedWhileStreaming() throws Exception {
    // Exactly one: a transaction the restart cut off is aborted and redone, or found committed.
    FaultRuns.streamThrough(TABLE, checkpoints.newFolder(), "kafka-stream", "Kafka broker restarted while streaming",
        1, FEED_PAUSE, (stack, job) -> {
          StackControl.run("stop", "kafka");
          StackControl.run("up", "kafka");
          return "restarted at %,d rows while the test kept producing; the reader and the transactions of dead"
              + " letters and offsets reconnected";
        });
  }

  @Test
  public void kafkaBrokerRestartedDuringIngestion() throws Exception {
    ingestWithRestart("kafka", "Kafka broker restarted during ingestion");
  }

  @Test
  public void postgresRestartedDuringIngestion() throws Exception {
    ingestWithRestart("postgres", "PostgreSQL restarted during ingestion");
  }

  /** {@code server} restarted once the run has staged its first users; the run may fail, clearly. */
  private void ingestWithRestart(String server, String description) throws Exception {
    FaultRuns.ingestThrough(TABLE, checkpoints.newFolder(), server, description, false, (stack, ingest) -> {
      StackControl.run("stop", server);
      StackControl.run("up", server);
      return "restarted at %,d staged users";
    });
  }
}
