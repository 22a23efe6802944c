package dev.userstream.spark;

import dev.userstream.options.CommandLine;
import dev.userstream.shared.FailureMessages;
import dev.userstream.stream.StreamPipeline;
import dev.userstream.stream.StreamPipelineOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.spark.SparkContextOptions;
import org.apache.beam.runners.spark.SparkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.hadoop.util.ShutdownHookManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@link StreamPipeline} on the Spark runner, stopping cleanly on SIGTERM: the micro-batch in
 * flight finishes (its rows written, its offsets committed), the batches queued behind it are
 * dropped ({@link StopAfterBatchInFlight} says why), and the JVM exits with status 0, so a
 * supervisor (Airflow's task, systemd) sees a clean stop. A batch cut short by the stop has
 * committed nothing and is read again by the next run: that is a clean stop too. A second SIGTERM
 * stops at once (status 143). A job that cannot start or fails logs one line {@code Streaming
 * failed: <reason>} and exits with status 1.
 *
 * <p>Why a main of its own: on SIGTERM Spark 3.5 runs its shutdown hooks by priority, and the
 * local executor's hook (priority 100) shuts the task pool down before the streaming context's
 * hook (51) can stop it; the batch in flight then waits forever for tasks that cannot start and
 * the JVM hangs. So SIGTERM is handled here, outside shutdown, while the executors still run.
 * Other ways into shutdown (SIGINT, SIGHUP) get the same stop from a hook registered with Hadoop's
 * manager above all of Spark's hooks (Spark installs its manager at 40).
 */
public final class SparkStreamPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(SparkStreamPipeline.class);
  /** Above Spark's own hooks in Hadoop's manager. */
  static final int SHUTDOWN_PRIORITY = 100;
  /** How long the micro-batch in flight may take to finish once a stop is requested. */
  static final Duration BATCH_WAIT = Duration.ofSeconds(60);
  /** Attempts of a task in local mode: one retry, where a cluster's Spark makes 4 attempts by default. */
  static final int LOCAL_TASK_ATTEMPTS = 2;
  private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[(\\d+|\\*)])?");

  private SparkStreamPipeline() {}

  public static void main(String[] args) {
    StopAfterBatchInFlight stop = new StopAfterBatchInFlight(BATCH_WAIT);
    try {
      // Inside the try: an unknown or malformed option is reported like any other failure.
      StreamPipelineOptions options =
          CommandLine.parse(args, StreamPipelineOptions.class);
      options.as(SparkContextOptions.class).setListeners(List.of(stop));
      SparkPipelineOptions spark = options.as(SparkPipelineOptions.class);
      String master = withTaskRetries(spark.getSparkMaster());
      if (!master.equals(spark.getSparkMaster())) {
        LOG.info("Spark master {}: a failed task is tried {} times in all, as on a cluster", master,
            LOCAL_TASK_ATTEMPTS);
        spark.setSparkMaster(master);
      }
      PipelineResult result = StreamPipeline.run(Pipeline.create(options), options);
      AtomicBoolean stopping = new AtomicBoolean();
      // Installed after Spark has started, so it replaces Spark's handler (which only logs and
      // then enters shutdown).
      Signal.handle(new Signal("TERM"), signal -> {
        if (stopping.compareAndSet(false, true)) {
          Thread stopper = new Thread(() -> stop(stop, result, "SIGTERM"), "graceful-stop");
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
                  stop(stop, result, "Shutdown requested");
                }
              },
              SHUTDOWN_PRIORITY,
              BATCH_WAIT.toSeconds() + 30,
              TimeUnit.SECONDS);
      try {
        result.waitUntilFinish();
      } catch (RuntimeException e) {
        if (!stop.isCausedByStop(e)) {
          throw e;
        }
        LOG.info("The stop cut a micro-batch short ({}); its offsets were not committed, so the next run"
            + " reads it again", FailureMessages.innermost(e));
      }
      LOG.info("Stopped cleanly");
      // Spark's non-daemon threads would keep the JVM up after the stop.
      System.exit(0);
    } catch (RuntimeException e) {
      LOG.error("Streaming failed: {}", FailureMessages.innermost(e));
      LOG.debug("Streaming failure", e);
      System.exit(1);
    }
  }

  /**
   * {@code local[N]} as {@code local[N,2]}: in local mode Spark fails the job at a task's first
   * failure, where a cluster retries it ({@code spark.task.maxFailures}, 4). One failure that a
   * retry cures: on a machine starved of CPU a micro-batch's read can outlast the Spark runner's
   * reader cache (1.5 batch intervals), which then closes the reader while the task still uses it
   * ({@code RejectedExecutionException} from the Kafka reader). A retried task reads again from the
   * last checkpoint mark and stores idempotently, so nothing is lost or stored twice. A master that
   * names its failures ({@code local[N,F]}) or a cluster is left as given.
   */
  static String withTaskRetries(String master) {
    Matcher local = LOCAL_MASTER.matcher(master);
    if (!local.matches()) {
      return master;
    }
    String threads = local.group(1) == null ? "1" : local.group(1);
    return "local[" + threads + "," + LOCAL_TASK_ATTEMPTS + "]";
  }

  private static void stop(StopAfterBatchInFlight stop, PipelineResult result, String why) {
    try {
      if (!stop.request(why)) {
        // Not started yet: Beam's cancel stops whatever has been set up.
        result.cancel();
      }
    } catch (Exception e) {
      LOG.warn("Stopping failed; what the micro-batch in flight did not commit is read again by the next run", e);
    }
  }
}
