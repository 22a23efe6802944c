package dev.userstream.direct;

import dev.userstream.stream.StreamPipeline;
import dev.userstream.stream.StreamPipelineOptions;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.junit.Test;

/** The streaming pipeline on the DirectRunner against the real local Kafka and Cassandra. */
public class DirectRunnerStreamIT {
  @Test
  public void storesGoodUsersDeadLettersBadOnesAndReplaysIdempotently() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 300);
      scenario.runAndReplay(
          group -> {
            StreamPipelineOptions options = scenario.options(group);
            options.setRunner(DirectRunner.class);
            // An unbounded pipeline: run in the background and poll.
            options.as(DirectOptions.class).setBlockOnRun(false);
            PipelineResult result = StreamPipeline.run(Pipeline.create(options), options);
            return result::cancel;
          },
          Duration.ofMinutes(3));
    }
  }
}
