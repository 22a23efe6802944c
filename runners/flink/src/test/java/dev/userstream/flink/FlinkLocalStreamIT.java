package dev.userstream.flink;

import dev.userstream.stream.StreamPipelineOptions;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.PipelineResult;
import org.junit.Test;

/**
 * The streaming pipeline on the Flink runner's embedded cluster ({@code --flinkMaster=[local]}), in
 * this JVM, started as the Flink jar's main starts it ({@link FlinkStreamPipeline#run}).
 */
public class FlinkLocalStreamIT {
  @Test
  public void storesGoodUsersDeadLettersBadOnesAndReplaysIdempotently() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 2000);
      scenario.runAndReplay(
          group -> {
            StreamPipelineOptions options = scenario.options(group);
            FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
            flink.setRunner(FlinkRunner.class);
            flink.setFlinkMaster("[local]");
            PipelineResult result = FlinkStreamPipeline.run(options);
            return result::cancel;
          },
          Duration.ofMinutes(3));
    }
  }
}
