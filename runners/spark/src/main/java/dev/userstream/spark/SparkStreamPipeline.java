package dev.userstream.spark;

import dev.userstream.stream.StreamPipeline;
import dev.userstream.stream.StreamPipelineOptions;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StreamPipeline} on the Spark runner, stopping gracefully on SIGTERM: the micro-batch in
 * flight finishes (its rows written, its offsets committed) before the JVM exits.
 *
 * <p>Why a main of its own: on SIGTERM Spark 3.5 runs its shutdown hooks by priority, and the
 * local executor's hook (priority 100) shuts the task pool down before the streaming context's
 * hook (51) can stop it; the batch in flight then waits forever for tasks that cannot start and
 * the JVM hangs. This hook is registered with Hadoop's manager above all of Spark's hooks (Spark
 * installs its manager at 40), so the pipeline is cancelled, which stops the streaming context
 * gracefully, while the executors still run.
 */
public final class SparkStreamPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(SparkStreamPipeline.class);
  /** Above Spark's own hooks in Hadoop's manager. */
  static final int SHUTDOWN_PRIORITY = 100;
  /** How long a graceful stop may take before the rest of the shutdown goes on. */
  static final long STOP_TIMEOUT_SECONDS = 120;

  private SparkStreamPipeline() {}

  public static void main(String[] args) throws Exception {
    // Spark's default (ten batch intervals, 5 s) is shorter than one batch's read and write under
    // load; a stop that times out interrupts the batch it waited for.
    if (System.getProperty("spark.streaming.gracefulStopTimeout") == null) {
      System.setProperty("spark.streaming.gracefulStopTimeout", (STOP_TIMEOUT_SECONDS / 2) + "s");
    }
    StreamPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(StreamPipelineOptions.class);
    PipelineResult result = StreamPipeline.run(Pipeline.create(options), options);
    ShutdownHookManager.get()
        .addShutdownHook(
            () -> {
              LOG.info("Shutdown requested: finishing the micro-batch in flight, then stopping");
              try {
                result.cancel();
                LOG.info("Stopped gracefully");
              } catch (Exception e) {
                LOG.warn("Graceful stop failed; the last micro-batch will be read again on restart", e);
              }
            },
            SHUTDOWN_PRIORITY,
            STOP_TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
    result.waitUntilFinish();
  }
}
