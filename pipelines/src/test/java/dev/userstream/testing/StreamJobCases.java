package dev.userstream.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import java.time.Duration;
import java.util.List;

/**
 * The stops every runner's streaming job must survive with nothing lost and nothing stored twice,
 * run against a bundled jar as users run it; each runner module says how to start its job.
 */
public final class StreamJobCases {
  private static final int CHUNK = 500;

  private StreamJobCases() {}

  /** Starts the runner's streaming job for the scenario, its log named after {@code name}. */
  public interface Launcher {
    BundledJob start(String name) throws Exception;
  }

  /**
   * SIGTERM mid-stream while records keep arriving, then a second run from the consumer group's
   * committed offsets: the first exits 0; in the end every user is stored once, every poison
   * payload dead-lettered once, the lag 0. Returns what happened, for the test's output.
   */
  public static String stopMidStreamAndRestart(StreamScenario scenario, Launcher launcher) throws Exception {
    LocalStack stack = scenario.stack;
    List<byte[][]> records = scenario.records();
    int produced = records.size() / 4;
    stack.produce(records.subList(0, produced));

    long rowsAtStop;
    int producedWhileStopping;
    try (BundledJob first = launcher.start("restart-1-" + stack.id)) {
      LocalStack.await(Duration.ofMinutes(3), () -> "first rows",
          LocalStack.unchecked(() -> first.isAlive() && stack.rowCount() > 0));
      rowsAtStop = stack.rowCount();
      first.requestStop();
      // The stream goes on while the job stops: chunk after chunk until it has exited (or
      // three quarters of the records are out, keeping the last quarter for after the stop).
      int beforeStop = produced;
      while (first.isAlive() && produced + CHUNK <= records.size() * 3 / 4) {
        stack.produce(records.subList(produced, produced + CHUNK));
        produced += CHUNK;
      }
      producedWhileStopping = produced - beforeStop;
      assertThat("a graceful stop ends the job with status 0", first.awaitExit(Duration.ofSeconds(150)), equalTo(0));
    }
    long rowsAfterStop = stack.rowCount();
    stack.produce(records.subList(produced, records.size()));
    assertThat("the job was stopped mid-stream", rowsAfterStop, lessThan((long) scenario.goodUsers));

    try (BundledJob second = launcher.start("restart-2-" + stack.id)) {
      scenario.awaitDrained(Duration.ofMinutes(4), stack.consumerGroup, 1, second::isAlive);
    }
    assertThat("every user stored exactly once", stack.rowCount(), equalTo((long) scenario.goodUsers));
    // Each poison payload exactly once: dead letters commit with the offsets, so a bundle the
    // stop cut short wrote none that the restart writes again.
    scenario.assertOutcome(1);
    return String.format("%,d rows at SIGTERM, %,d records produced while stopping, %,d rows after the stop, %,d in the end",
        rowsAtStop, producedWhileStopping, rowsAfterStop, stack.rowCount());
  }

  /**
   * SIGKILL once a tenth of the users are stored, records arriving throughout, then a second run:
   * every user stored, every poison payload dead-lettered exactly once (the killed job's dead
   * letters committed with its offsets, or not at all), lag 0. Returns the rows stored at the kill.
   */
  public static long killMidStreamAndRestart(StreamScenario scenario, Launcher launcher) throws Exception {
    LocalStack stack = scenario.stack;
    long rowsAtKill;
    try (Feeder feeder = Feeder.start(stack, scenario.records())) {
      try (BundledJob first = launcher.start("kill-1-" + stack.id)) {
        LocalStack.await(Duration.ofMinutes(3), () -> "rows before the kill; log " + first.log,
            LocalStack.unchecked(() -> first.isAlive() && stack.rowCount() >= scenario.goodUsers / 10));
        first.kill();
        rowsAtKill = stack.rowCount();
      }
      try (BundledJob second = launcher.start("kill-2-" + stack.id)) {
        feeder.awaitDone(Duration.ofMinutes(3));
        scenario.awaitDrained(Duration.ofMinutes(4), stack.consumerGroup, 1, second::isAlive);
      }
    }
    assertThat("killed mid-stream", rowsAtKill, lessThan((long) scenario.goodUsers));
    scenario.assertOutcome(1);
    return rowsAtKill;
  }
}
