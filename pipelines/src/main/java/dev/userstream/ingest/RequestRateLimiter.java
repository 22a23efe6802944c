package dev.userstream.ingest;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Spaces request starts at least {@code 1 / requestsPerSecond} apart. One limiter per API URL and
 * rate is shared by every fetcher in the JVM (a Spark executor runs several), so the bound holds per
 * worker process; with N workers the service sees at most N times the rate.
 */
final class RequestRateLimiter {
  private static final ConcurrentMap<String, RequestRateLimiter> SHARED = new ConcurrentHashMap<>();

  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private long nextFreeNanos;

  RequestRateLimiter(double requestsPerSecond, LongSupplier nanoClock) {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requests per second must be > 0, was " + requestsPerSecond);
    }
    this.intervalNanos = (long) (1_000_000_000L / requestsPerSecond);
    this.nanoClock = nanoClock;
    this.nextFreeNanos = nanoClock.getAsLong();
  }

  static RequestRateLimiter shared(String apiUrl, double requestsPerSecond) {
    return SHARED.computeIfAbsent(
        apiUrl + "@" + requestsPerSecond, k -> new RequestRateLimiter(requestsPerSecond, System::nanoTime));
  }

  /** Waits, with {@code sleeper}, until this caller may start a request. */
  void acquire(Sleeper sleeper) throws InterruptedException {
    long wait;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      long start = Math.max(now, nextFreeNanos);
      nextFreeNanos = start + intervalNanos;
      wait = start - now;
    }
    if (wait > 0) {
      sleeper.sleep(Duration.ofNanos(wait));
    }
  }
}
