package dev.userstream.spark;

import dev.userstream.testing.BundledJob;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamJobCases;
import dev.userstream.testing.StreamScenario;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Stop the Spark-runner job mid-stream (SIGTERM while records keep arriving) and start it again
 * from the consumer group's committed offsets: every record ends in Cassandra or the dead-letter
 * topic, none twice, and the lag ends at 0 ({@link StreamJobCases#stopMidStreamAndRestart}).
 */
public class SparkRestartIT {
  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void stoppedMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 20_000);
      String happened = StreamJobCases.stopMidStreamAndRestart(scenario,
          name -> BundledJob.start(BundledJob.jar("spark"), name, arguments(scenario)));
      System.out.println("restart: " + happened);
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
