package dev.userstream.flink;

import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamJobCases;
import dev.userstream.testing.StreamScenario;
import org.junit.Test;

/**
 * The Flink-runner job stopped mid-stream (SIGTERM while records keep arriving: the job is
 * cancelled, exit 0) and started again from the consumer group's committed offsets: every record
 * ends in Cassandra or the dead-letter topic, none twice, and the lag ends at 0.
 */
public class FlinkRestartIT {
  @Test
  public void stoppedMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 20_000);
      String happened = StreamJobCases.stopMidStreamAndRestart(scenario, name -> EmbeddedFlinkJob.start(scenario, name));
      System.out.println("restart: " + happened);
    }
  }

  @Test
  public void killedWithSigkillMidStreamAndRestartedLosesAndDuplicatesNothing() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 20_000);
      long rowsAtKill = StreamJobCases.killMidStreamAndRestart(scenario, name -> EmbeddedFlinkJob.start(scenario, name));
      System.out.printf("kill: SIGKILL at %,d rows%n", rowsAtKill);
    }
  }
}
