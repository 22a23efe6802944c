package dev.userstream.spark;

import dev.userstream.testing.BundledJob;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The bundled jar submitted to the local Spark standalone cluster writes the same rows. */
public class SparkClusterStreamIT {
  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void bundledJarOnTheStandaloneClusterStoresTheSameRows() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 1000);
      stack.produce(scenario.records());
      List<String> args = new ArrayList<>(scenario.arguments());
      args.add("--runner=SparkRunner");
      args.add("--sparkMaster=" + LocalStack.SPARK_MASTER);
      args.add(BundledJob.checkpointDir(checkpoints.newFolder()));
      try (BundledJob job = BundledJob.start(BundledJob.jar("spark"), "cluster-" + stack.id, args)) {
        scenario.awaitDrained(Duration.ofMinutes(4), stack.consumerGroup, 1, job::isAlive);
      }
      scenario.assertOutcome(1);
    }
  }
}
