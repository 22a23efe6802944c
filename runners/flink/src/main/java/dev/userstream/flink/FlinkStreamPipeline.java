package dev.userstream.flink;

import dev.userstream.options.CommandLine;
import dev.userstream.shared.FailureMessages;
import dev.userstream.stream.StreamPipeline;
import dev.userstream.stream.StreamPipelineOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@link StreamPipeline} on the Flink runner, embedded ({@code --flinkMaster=[local]}) or
 * submitted to a Flink cluster ({@code --flinkMaster=127.0.0.1:18082}), stopping cleanly on SIGTERM
 * or SIGINT: the job is cancelled and the JVM exits with status 0 once Flink reports it cancelled,
 * so a supervisor (Airflow's task, systemd) sees a clean stop. A second signal exits at once (143).
 * A job that cannot start or fails logs one line {@code Streaming failed: <reason>} and exits 1.
 *
 * <p>Why cancelling is a clean stop: the job commits a record's offset only after storing it
 * ({@link dev.userstream.stream.StoreOutcomes}), bundle by bundle. Cancelling abandons the bundle in
 * flight with nothing of it committed (its dead letters are in an aborted transaction), so the next
 * run reads it again from the group's offsets and rewrites the same rows. For the same reason the
 * job runs without Flink checkpoints: it resumes from the committed offsets, never from a snapshot
 * of the reader's position, which could lie behind them and dead-letter a record twice.
 *
 * <p>The job is submitted detached (this JVM polls it), so the signal handler can cancel it on a
 * cluster as well as embedded; a client killed outright leaves a cluster's job running.
 */
public final class FlinkStreamPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkStreamPipeline.class);

  private static final long STATE_POLL_MILLIS = 500;

  private FlinkStreamPipeline() {}

  public static void main(String[] args) {
    try {
      // Inside the try: an unknown or malformed option is reported like any other failure.
      StreamPipelineOptions options = CommandLine.parse(args, StreamPipelineOptions.class);
      PipelineResult result = run(options);
      AtomicBoolean stopping = new AtomicBoolean();
      for (String name : new String[] {"TERM", "INT"}) {
        Signal.handle(new Signal(name), signal -> {
          if (stopping.compareAndSet(false, true)) {
            Thread stopper = new Thread(() -> cancel(result, "SIG" + name), "graceful-stop");
            stopper.setDaemon(true);
            stopper.start();
          } else {
            LOG.warn("Second signal: stopping now");
            System.exit(143);
          }
        });
      }
      PipelineResult.State state = awaitEnd(result, stopping);
      if (state == PipelineResult.State.FAILED || !stopping.get() && state != PipelineResult.State.DONE) {
        throw new IllegalStateException("the Flink job ended " + state + ": " + FlinkJobs.failureOf(result));
      }
      LOG.info("Stopped cleanly ({})", state);
      // Flink's non-daemon threads would keep the JVM up after the stop.
      System.exit(0);
    } catch (RuntimeException | InterruptedException e) {
      LOG.error("Streaming failed: {}", FailureMessages.innermost(e));
      LOG.debug("Streaming failure", e);
      System.exit(1);
    }
  }

  /**
   * Starts the job detached, so that it can be cancelled from here; tests call this too. Without
   * {@code --parallelism}, runs one reader subtask per partition of the input topic. Refuses
   * Flink checkpoints and savepoints (see the class comment): restored from one, the reader would
   * re-read records whose offsets were committed after it, and dead-letter them a second time.
   */
  public static PipelineResult run(StreamPipelineOptions options) {
    configure(options);
    return StreamPipeline.run(Pipeline.create(options), options);
  }

  /** The Flink settings {@link #run} starts the job with; the refusals are thrown from here. */
  static void configure(StreamPipelineOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getCheckpointingInterval() != null && flink.getCheckpointingInterval() > 0) {
      throw new IllegalArgumentException("--checkpointingInterval is not supported: the job resumes from the offsets"
          + " it commits after each bundle is stored, and a checkpoint restored behind them would dead-letter"
          + " records twice; leave it unset");
    }
    if (flink.getSavepointPath() != null) {
      throw new IllegalArgumentException("--savepointPath is not supported: the job resumes from the consumer"
          + " group's committed offsets, not from a savepoint");
    }
    if (flink.getParallelism() == null || flink.getParallelism() <= 0) {
      int partitions = partitionsOf(options.getKafkaBootstrapServers(), options.getInputTopic());
      flink.setParallelism(partitions);
      LOG.info("Parallelism {}: one reader per partition of {} (--parallelism to choose another)", partitions,
          options.getInputTopic());
    }
    // Chained steps hand each element on as it is: without fasterCopy the runner clones every
    // element through its coder (encoded, then decoded) between each two steps. Safe because no
    // step changes what it received or emitted, which the DirectRunner's immutability checks
    // enforce in the unit tests.
    flink.setFasterCopy(true);
    flink.setAttachedMode(false);
  }

  /**
   * The input topic's partitions: the default parallelism. A reader subtask with two partitions
   * polls them in turn on one thread, and at 1,000 users/s its partitions fell behind a little more
   * every second (the latency's p99 rose from 0.1 to 1 s within 30 s); one per subtask kept up.
   */
  static int partitionsOf(String bootstrapServers, String topic) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(60, TimeUnit.SECONDS).get(topic);
      return description.partitions().size();
    } catch (ExecutionException e) {
      throw new IllegalArgumentException("cannot read the partitions of the input topic " + topic + " at "
          + bootstrapServers + ": " + FailureMessages.innermost(e), e);
    } catch (TimeoutException e) {
      throw new IllegalArgumentException("Kafka at " + bootstrapServers + " did not answer within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the partitions of " + topic, e);
    }
  }

  /**
   * Polls the job until it ends. The embedded cluster is the job's own: Flink shuts it down as soon
   * as the job has ended, after which its state can no longer be asked. Once a stop was requested
   * that means the cancel went through; otherwise the job ended by itself, and its result says why.
   */
  static PipelineResult.State awaitEnd(PipelineResult result, AtomicBoolean stopping) throws InterruptedException {
    while (true) {
      PipelineResult.State state;
      try {
        state = result.getState();
      } catch (RuntimeException e) {
        if (stopping.get()) {
          LOG.info("The job's state can no longer be read ({}): the embedded cluster ended with the cancelled job",
              FailureMessages.innermost(e));
          return PipelineResult.State.CANCELLED;
        }
        LOG.debug("Reading the job's state failed", e);
        throw new IllegalStateException("the Flink job ended: " + FlinkJobs.failureOf(result));
      }
      if (state.isTerminal()) {
        return state;
      }
      Thread.sleep(STATE_POLL_MILLIS);
    }
  }

  private static void cancel(PipelineResult result, String why) {
    LOG.info("{}: cancelling the Flink job; the bundle in flight commits nothing and the next run reads it again", why);
    try {
      result.cancel();
    } catch (Exception e) {
      // Beam's cancel() also asks for the state afterwards, which an embedded cluster, gone with
      // its cancelled job, cannot answer; awaitEnd tells that from a cancel that failed.
      LOG.debug("Cancel reported: {}", FailureMessages.innermost(e));
    }
  }
}
