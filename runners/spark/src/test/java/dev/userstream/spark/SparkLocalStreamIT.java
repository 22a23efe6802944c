package dev.userstream.spark;

import dev.userstream.stream.StreamPipeline;
import dev.userstream.stream.StreamPipelineOptions;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import org.apache.beam.runners.spark.SparkPipelineOptions;
import org.apache.beam.runners.spark.SparkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The streaming pipeline on the Spark runner in local mode (local[2]), in this JVM. */
public class SparkLocalStreamIT {
  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void storesGoodUsersDeadLettersBadOnesAndReplaysIdempotently() throws Exception {
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 2000);
      scenario.runAndReplay(
          group -> {
            StreamPipelineOptions options =
                scenario.configure(PipelineOptionsFactory.create().as(StreamPipelineOptions.class));
            options.setConsumerGroup(group);
            SparkPipelineOptions spark = options.as(SparkPipelineOptions.class);
            spark.setRunner(SparkRunner.class);
            spark.setSparkMaster("local[2]");
            spark.setCheckpointDir(checkpoints.newFolder(group).getAbsolutePath());
            PipelineResult result = StreamPipeline.run(Pipeline.create(options), options);
            return result::cancel;
          },
          Duration.ofMinutes(3));
    }
  }
}
