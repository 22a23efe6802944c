package dev.userstream.flink;

import dev.userstream.testing.BundledJob;
import dev.userstream.testing.EndToEnd;
import dev.userstream.testing.LocalStack;
import java.util.List;
import org.junit.Test;

/**
 * End to end on the Flink runner, both pipelines from the bundled jar ({@link EndToEnd}):
 * IngestPipeline in batch on the stack's session cluster, StreamPipeline on an embedded cluster
 * (the streaming ITs run it on the session cluster too).
 */
public class FlinkIngestToCassandraIT {
  @Test
  public void everyUserFetchedIsStoredOnceWithTheRightFields() throws Exception {
    EndToEnd.everyUserFetchedIsStoredOnce(BundledJob.jar("flink"),
        List.of("--runner=FlinkRunner", "--flinkMaster=" + LocalStack.FLINK_MASTER),
        List.of("--runner=FlinkRunner", "--flinkMaster=[local]"));
  }
}
