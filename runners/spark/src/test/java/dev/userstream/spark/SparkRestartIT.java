package dev.userstream.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Stop the Spark-runner job mid-stream (SIGTERM) and start it again from the consumer group's
 * committed offsets: every record ends in Cassandra, none twice, and the lag ends at 0.
 */
public class SparkRestartIT {
  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void stoppedMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 60_000);
      stack.produce(scenario.records());

      long rowsAtStop;
      try (BundledJob first = BundledJob.start("restart-1-" + stack.id, arguments(scenario))) {
        LocalStack.await(Duration.ofMinutes(3), () -> "first rows", LocalStack.unchecked(() -> stack.rowCount() > 0));
        rowsAtStop = stack.rowCount();
      }
      long rowsAfterStop = stack.rowCount();
      assertThat("the job was stopped mid-stream", rowsAfterStop, lessThan((long) scenario.goodUsers));

      try (BundledJob second = BundledJob.start("restart-2-" + stack.id, arguments(scenario))) {
        scenario.awaitDrained(Duration.ofMinutes(4), stack.consumerGroup, 1);
      }
      assertThat("every user stored exactly once", stack.rowCount(), equalTo((long) scenario.goodUsers));
      scenario.assertOutcome(0);
      System.out.printf("restart: %d rows when SIGTERM was sent, %d after the graceful stop, %d in the end%n",
          rowsAtStop, rowsAfterStop, stack.rowCount());
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
