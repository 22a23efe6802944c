package dev.userstream.spark;

import dev.userstream.testing.BundledJob;
import dev.userstream.testing.EndToEnd;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * End to end on the Spark runner, both pipelines from the bundled jar ({@link EndToEnd}):
 * IngestPipeline in batch and StreamPipeline streaming, each on local[2].
 */
public class IngestToCassandraIT {
  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void everyUserFetchedIsStoredOnceWithTheRightFields() throws Exception {
    EndToEnd.everyUserFetchedIsStoredOnce(BundledJob.jar("spark"),
        List.of("--runner=SparkRunner", "--sparkMaster=local[2]"),
        List.of("--runner=SparkRunner", "--sparkMaster=local[2]", BundledJob.checkpointDir(checkpoints.newFolder())));
  }
}
