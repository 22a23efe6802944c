package dev.userstream.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import dev.userstream.testing.BundledJob;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Stop the Spark-runner job mid-stream (SIGTERM while records keep arriving) and start it again
 * from the consumer group's committed offsets: every record ends in Cassandra or the dead-letter
 * topic, none twice, and the lag ends at 0.
 */
public class SparkRestartIT {
  private static final int CHUNK = 500;

  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void stoppedMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 20_000);
      List<byte[][]> records = scenario.records();
      int produced = records.size() / 4;
      stack.produce(records.subList(0, produced));

      long rowsAtStop;
      int producedWhileStopping;
      try (BundledJob first = BundledJob.start(BundledJob.jar("spark"), "restart-1-" + stack.id, arguments(scenario))) {
        LocalStack.await(Duration.ofMinutes(3), () -> "first rows",
            LocalStack.unchecked(() -> first.isAlive() && stack.rowCount() > 0));
        rowsAtStop = stack.rowCount();
        first.requestStop();
        // The stream goes on while the job stops: chunk after chunk until it has exited (or
        // three quarters of the records are out, keeping the last quarter for after the stop).
        int beforeStop = produced;
        while (first.isAlive() && produced + CHUNK <= records.size() * 3 / 4) {
          stack.produce(records.subList(produced, produced + CHUNK));
          produced += CHUNK;
        }
        producedWhileStopping = produced - beforeStop;
        assertThat("a graceful stop ends the job with status 0", first.awaitExit(Duration.ofSeconds(150)), equalTo(0));
      }
      long rowsAfterStop = stack.rowCount();
      stack.produce(records.subList(produced, records.size()));
      assertThat("the job was stopped mid-stream", rowsAfterStop, lessThan((long) scenario.goodUsers));

      try (BundledJob second = BundledJob.start(BundledJob.jar("spark"), "restart-2-" + stack.id, arguments(scenario))) {
        scenario.awaitDrained(Duration.ofMinutes(4), stack.consumerGroup, 1, second::isAlive);
      }
      assertThat("every user stored exactly once", stack.rowCount(), equalTo((long) scenario.goodUsers));
      // Each poison payload exactly once: dead letters commit with the offsets, so a batch the
      // stop cut short wrote none that the restart writes again.
      scenario.assertOutcome(1);
      System.out.printf(
          "restart: %d rows at SIGTERM, %d records produced while stopping, %d rows after the stop,"
              + " %d in the end%n",
          rowsAtStop, producedWhileStopping, rowsAfterStop, stack.rowCount());
    }
  }

  private List<String> arguments(StreamScenario scenario) throws Exception {
    List<String> args = new ArrayList<>(scenario.arguments());
    args.add("--runner=SparkRunner");
    args.add("--sparkMaster=local[2]");
    // A fresh checkpoint directory each time: the restart resumes from the committed offsets.
    args.add(BundledJob.checkpointDir(checkpoints.newFolder()));
    return args;
  }
}
