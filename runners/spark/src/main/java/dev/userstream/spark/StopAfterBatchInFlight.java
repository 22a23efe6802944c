package dev.userstream.spark;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaStreamingListener;
import org.apache.spark.streaming.api.java.JavaStreamingListenerBatchCompleted;
import org.apache.spark.streaming.api.java.JavaStreamingListenerBatchStarted;
import org.apache.spark.streaming.api.java.JavaStreamingListenerBatchSubmitted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Stops a Spark streaming job once the micro-batch in flight has finished, dropping the batches
 * its schedule is behind on.
 *
 * <p>Why not Spark's graceful stop: it first generates and runs every batch due before the stop.
 * Beam's Spark runner reads each batch from Kafka while generating it (its read report collects
 * the read on Spark's single job-generator thread), so generation cannot outpace the reads: a
 * read takes at least {@code --minReadTimeMillis} (200 ms) plus a Spark job's overhead, and on a
 * loaded 2-core machine the job fell 15 to 27 s behind its 500 ms schedule (measured: "Added jobs
 * for time T" logged that long after T). A graceful stop then had dozens of batches to generate,
 * ran past {@code spark.streaming.gracefulStopTimeout}, and the timeout interrupted KafkaIO inside
 * the next batch's split: exit 1. The batches it is behind on hold nothing yet (nothing is read
 * for them until they are generated), and a restart reads from the committed offsets.
 *
 * <p>So on {@link #request} this waits (up to a bound) for the batch running at that moment, then
 * stops the streaming context without grace. A read or batch that Spark has just started may be
 * cut short; it has committed no offsets, so the restart redoes it. {@link #isCausedByStop} tells
 * such an interruption from a real failure.
 */
final class StopAfterBatchInFlight extends JavaStreamingListener {
  private static final Logger LOG = LoggerFactory.getLogger(StopAfterBatchInFlight.class);

  private final Duration batchWait;
  private final Object lock = new Object();
  /** Batch time (ms) of the batch running now, or -1. Guarded by {@link #lock}. */
  private long running = -1;
  /** Batch time (ms) of the newest batch generated, or -1. Guarded by {@link #lock}. */
  private long generated = -1;
  private volatile boolean requested;

  StopAfterBatchInFlight(Duration batchWait) {
    this.batchWait = batchWait;
  }

  @Override
  public void onBatchSubmitted(JavaStreamingListenerBatchSubmitted batchSubmitted) {
    synchronized (lock) {
      generated = batchSubmitted.batchInfo().batchTime().milliseconds();
    }
  }

  @Override
  public void onBatchStarted(JavaStreamingListenerBatchStarted batchStarted) {
    synchronized (lock) {
      running = batchStarted.batchInfo().batchTime().milliseconds();
    }
  }

  @Override
  public void onBatchCompleted(JavaStreamingListenerBatchCompleted batchCompleted) {
    synchronized (lock) {
      if (running == batchCompleted.batchInfo().batchTime().milliseconds()) {
        running = -1;
      }
      lock.notifyAll();
    }
  }

  /**
   * Waits for the batch in flight (at most the bound given at construction), then stops the
   * streaming context at once. Returns false if no streaming context is active (the job has not
   * started or has already stopped). Call it once.
   */
  boolean request(String why) throws InterruptedException {
    requested = true;
    Option<StreamingContext> active = StreamingContext.getActive();
    if (active.isEmpty()) {
      return false;
    }
    long inFlight;
    synchronized (lock) {
      inFlight = running;
      LOG.info("{}: finishing the micro-batch in flight ({}), then stopping; the batches the schedule is"
          + " behind on ({} s) are dropped, and the next run reads them from the committed offsets",
          why, inFlight < 0 ? "none" : "batch of " + Instant.ofEpochMilli(inFlight),
          generated < 0 ? "?" : String.format("%.1f", (System.currentTimeMillis() - generated) / 1000.0));
      long deadline = System.nanoTime() + batchWait.toNanos();
      while (inFlight >= 0 && running == inFlight) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("The micro-batch in flight did not finish within {} s: stopping it; its offsets are not"
              + " committed, so the restart reads it again", batchWait.toSeconds());
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
    // Without grace: Spark gives a batch it has just started two seconds, then interrupts it.
    active.get().stop(false, false);
    return true;
  }

  /**
   * True if {@code failure} is what stopping does to a batch in flight (an interrupted read,
   * write, wait or cancelled job) and a stop was requested: nothing of that batch was committed.
   */
  boolean isCausedByStop(Throwable failure) {
    if (!requested) {
      return false;
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof InterruptedIOException
          || t instanceof ClosedByInterruptException
          || t instanceof org.apache.kafka.common.errors.InterruptException
          || t instanceof org.apache.spark.TaskKilledException
          || (t.getMessage() != null
              && (t.getMessage().contains("SparkContext was shut down")
                  || t.getMessage().contains("cancelled because SparkContext")
                  || t.getMessage().contains("SparkContext has been shutdown")))) {
        return true;
      }
    }
    return false;
  }
}
