package dev.userstream.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.Test;

public class SparkStreamPipelineTest {
  @Test
  public void localMastersRetryAFailedTaskOnce() {
    assertThat(SparkStreamPipeline.withTaskRetries("local[2]"), is("local[2,2]"));
    assertThat(SparkStreamPipeline.withTaskRetries("local[*]"), is("local[*,2]"));
    assertThat(SparkStreamPipeline.withTaskRetries("local"), is("local[1,2]"));
  }

  @Test
  public void mastersThatNameTheirRetriesOrAClusterAreLeftAsGiven() {
    assertThat(SparkStreamPipeline.withTaskRetries("local[2,4]"), is("local[2,4]"));
    assertThat(SparkStreamPipeline.withTaskRetries("spark://127.0.0.1:17077"), is("spark://127.0.0.1:17077"));
    assertThat(SparkStreamPipeline.withTaskRetries("local-cluster[2,1,1024]"), is("local-cluster[2,1,1024]"));
  }
}
