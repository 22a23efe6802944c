package dev.userstream.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Produces records in chunks from a thread of its own, so that they keep coming during a fault or a stop. */
public final class Feeder implements AutoCloseable {
  private static final int CHUNK = 500;
  private final Thread thread;
  private final AtomicInteger produced = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final int total;
  /** Between chunks when not told otherwise. */
  private static final Duration PAUSE = Duration.ofMillis(100);

  private Feeder(LocalStack stack, List<byte[][]> records, Duration pause) {
    this.total = records.size();
    this.thread = new Thread(() -> {
      try {
        for (int from = 0; from < records.size() && !Thread.currentThread().isInterrupted(); from += CHUNK) {
          stack.produce(records.subList(from, Math.min(records.size(), from + CHUNK)));
          produced.set(Math.min(records.size(), from + CHUNK));
          // Paced: the stream spans the fault rather than arriving all before it.
          Thread.sleep(pause.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "feeder");
    thread.setDaemon(true);
  }

  public static Feeder start(LocalStack stack, List<byte[][]> records) {
    return start(stack, records, PAUSE);
  }

  /** As above with {@code pause} between chunks: longer to spread the records over a longer fault. */
  public static Feeder start(LocalStack stack, List<byte[][]> records, Duration pause) {
    Feeder f = new Feeder(stack, records, pause);
    f.thread.start();
    return f;
  }

  /** Waits while records are still going out; fails when none has for {@code stall}. */
  public void awaitDone(Duration stall) throws InterruptedException {
    LocalStack.await(stall, () -> produced.get() + " of " + total + " records produced",
        () -> failure.get() != null || !thread.isAlive());
    if (failure.get() != null) {
      throw new AssertionError("producing the records failed", failure.get());
    }
    assertThat("records produced", produced.get(), greaterThanOrEqualTo(total));
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
