package dev.userstream.flink;

import dev.userstream.stream.StreamPipeline;
import dev.userstream.stream.StreamPipelineOptions;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.time.Duration;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/** The streaming pipeline on the Flink runner's embedded cluster ({@code --flinkMaster=[local]}), in this JVM. */
public class FlinkLocalStreamIT {
  @Test
  public void storesGoodUsersDeadLettersBadOnesAndReplaysIdempotently() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 2000);
      scenario.runAndReplay(
          group -> {
            StreamPipelineOptions options =
                scenario.configure(PipelineOptionsFactory.create().as(StreamPipelineOptions.class));
            options.setConsumerGroup(group);
            FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
            flink.setRunner(FlinkRunner.class);
            flink.setFlinkMaster("[local]");
            flink.setParallelism(2);
            // Returns once the job is submitted (attached, run() would block until the job ends).
            flink.setAttachedMode(false);
            PipelineResult result = StreamPipeline.run(Pipeline.create(options), options);
            return result::cancel;
          },
          Duration.ofMinutes(3));
    }
  }
}
