package dev.userstream.spark;

import dev.userstream.stream.StreamPipeline;
import dev.userstream.stream.StreamPipelineOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@link StreamPipeline} on the Spark runner, stopping gracefully on SIGTERM: the micro-batch in
 * flight finishes (its rows written, its offsets committed) and the JVM exits with status 0, so a
 * supervisor (Airflow's task, systemd) sees a clean stop. A second SIGTERM stops at once (status
 * 143) and can cut the batch in flight short. A job that cannot start or fails logs
 * one line {@code Streaming failed: <reason>} and exits with status 1.
 *
 * <p>Why a main of its own: on SIGTERM Spark 3.5 runs its shutdown hooks by priority, and the
 * local executor's hook (priority 100) shuts the task pool down before the streaming context's
 * hook (51) can stop it; the batch in flight then waits forever for tasks that cannot start and
 * the JVM hangs. So SIGTERM is handled here, outside shutdown: the pipeline is cancelled (which
 * stops the streaming context gracefully) while the executors still run. Other ways into shutdown
 * (SIGINT, SIGHUP) get the same stop from a hook registered with Hadoop's manager above all of
 * Spark's hooks (Spark installs its manager at 40).
 */
public final class SparkStreamPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(SparkStreamPipeline.class);
  /** Above Spark's own hooks in Hadoop's manager. */
  static final int SHUTDOWN_PRIORITY = 100;
  /** How long a graceful stop may take before the rest of the shutdown goes on. */
  static final long STOP_TIMEOUT_SECONDS = 120;

  private SparkStreamPipeline() {}

  public static void main(String[] args) {
    // Spark's default (ten batch intervals, 5 s) is shorter than one batch's read and write under
    // load; a stop that times out interrupts the batch it waited for.
    if (System.getProperty("spark.streaming.gracefulStopTimeout") == null) {
      System.setProperty("spark.streaming.gracefulStopTimeout", (STOP_TIMEOUT_SECONDS / 2) + "s");
    }
    try {
      // Inside the try: an unknown or malformed option is reported like any other failure.
      StreamPipelineOptions options =
          PipelineOptionsFactory.fromArgs(args).withValidation().as(StreamPipelineOptions.class);
      PipelineResult result = StreamPipeline.run(Pipeline.create(options), options);
      AtomicBoolean stopping = new AtomicBoolean();
      // Installed after Spark has started, so it replaces Spark's handler (which only logs and
      // then enters shutdown).
      Signal.handle(new Signal("TERM"), signal -> {
        if (stopping.compareAndSet(false, true)) {
          LOG.info("SIGTERM: finishing the micro-batch in flight, then stopping (SIGTERM again stops at once)");
          Thread stopper = new Thread(() -> stop(result), "graceful-stop");
          stopper.setDaemon(true);
          stopper.start();
        } else {
          LOG.warn("Second SIGTERM: stopping now, cutting the micro-batch in flight short");
          System.exit(143);
        }
      });
      ShutdownHookManager.get()
          .addShutdownHook(
              () -> {
                if (stopping.compareAndSet(false, true)) {
                  LOG.info("Shutdown requested: finishing the micro-batch in flight, then stopping");
                  stop(result);
                }
              },
              SHUTDOWN_PRIORITY,
              STOP_TIMEOUT_SECONDS,
              TimeUnit.SECONDS);
      result.waitUntilFinish();
      LOG.info("Stopped gracefully");
      // Spark's non-daemon threads would keep the JVM up after the stop.
      System.exit(0);
    } catch (RuntimeException e) {
      LOG.error("Streaming failed: {}", rootMessage(e));
      LOG.debug("Streaming failure", e);
      System.exit(1);
    }
  }

  private static void stop(PipelineResult result) {
    try {
      result.cancel();
    } catch (Exception e) {
      LOG.warn("Graceful stop failed; the micro-batch in flight may not have been written", e);
    }
  }

  /** The innermost message: Spark and Beam wrap the cause (an option, a server, a bundle) twice. */
  static String rootMessage(Throwable e) {
    if (e instanceof IllegalArgumentException && e.getMessage() != null) {
      return e.getMessage();
    }
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t.getMessage() == null) {
      return t.toString();
    }
    // Ours say what failed in full; others need their class to make sense ("UnknownHostException: x").
    return t.getClass().getName().startsWith("dev.userstream.") ? t.getMessage()
        : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
