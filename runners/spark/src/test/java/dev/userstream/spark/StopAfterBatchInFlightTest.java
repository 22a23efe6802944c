package dev.userstream.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import org.apache.spark.SparkException;
import org.junit.Test;

/** Which failures a requested stop explains (a clean stop, exit 0) and which it does not (exit 1). */
public class StopAfterBatchInFlightTest {
  private final StopAfterBatchInFlight stop = new StopAfterBatchInFlight(Duration.ofSeconds(1));

  private static RuntimeException wrapped(Throwable cause) {
    // As Beam hands it over: the runner's exception around Spark's around the cause.
    return new RuntimeException(new SparkException("Job aborted", cause));
  }

  @Test
  public void anInterruptionIsTheStopOnlyOnceAStopWasRequested() throws Exception {
    RuntimeException interrupted = wrapped(
        new RuntimeException("Failed to create partitions.",
            new org.apache.kafka.common.errors.InterruptException(new InterruptedException())));
    assertThat(stop.isCausedByStop(interrupted), is(false));
    // No streaming context is running here: the request is noted and says so.
    assertThat(stop.request("test"), is(false));
    assertThat(stop.isCausedByStop(interrupted), is(true));
    assertThat(stop.isCausedByStop(wrapped(new InterruptedException())), is(true));
    assertThat(stop.isCausedByStop(new IllegalStateException("Job 12 cancelled because SparkContext was shut down")),
        is(true));
  }

  @Test
  public void aRealFailureDuringTheStopIsStillAFailure() throws Exception {
    stop.request("test");
    assertThat(stop.isCausedByStop(wrapped(new IllegalStateException(
        "Cassandra upsert into ks.users kept failing for the whole retry budget"))), is(false));
    assertThat(stop.isCausedByStop(wrapped(new java.io.IOException("No space left on device"))), is(false));
  }
}
