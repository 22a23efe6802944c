package dev.userstream.ingest;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * A client-side budget of users per time window, as the real randomuser.me enforces per client
 * (20,000 users per 5 minutes, then HTTP 429 with no Retry-After). Every request reserves its page
 * size first; a request that would take the users of the last {@code window} past the budget is
 * given a start time when enough earlier reservations have left the window. So a run of any size
 * spreads its pages and finishes, where asking faster would get nothing but 429s.
 *
 * <p>One budget per API URL and setting is shared by every fetcher in the JVM (a Spark executor
 * runs several), so it holds per worker process, like {@link RequestRateLimiter}. A budget of 0
 * reserves nothing and never waits; the window still says how long a 429 without Retry-After is
 * waited out ({@link RandomUserApi}).
 */
final class UserBudget {
  private static final ConcurrentMap<String, UserBudget> SHARED = new ConcurrentHashMap<>();

  private final long usersPerWindow;
  private final Duration window;
  private final LongSupplier nanoClock;
  /** Reservations still inside the window: {start time in nanos, users}, in start order. */
  private final ArrayDeque<long[]> reservations = new ArrayDeque<>();
  private long reserved;

  UserBudget(long usersPerWindow, Duration window, LongSupplier nanoClock) {
    if (usersPerWindow < 0) {
      throw new IllegalArgumentException("users per window must be >= 0 (0: no budget), was " + usersPerWindow);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("the window must be longer than 0 s, was " + window.toSeconds() + " s");
    }
    this.usersPerWindow = usersPerWindow;
    this.window = window;
    this.nanoClock = nanoClock;
  }

  static UserBudget shared(String apiUrl, long usersPerWindow, Duration window) {
    return SHARED.computeIfAbsent(apiUrl + "@" + usersPerWindow + "/" + window,
        k -> new UserBudget(usersPerWindow, window, System::nanoTime));
  }

  long usersPerWindow() {
    return usersPerWindow;
  }

  Duration window() {
    return window;
  }

  /**
   * Reserves {@code users} and returns how long the caller must wait before its request (zero if
   * the budget has room now). The caller sleeps; reservations made meanwhile queue behind it.
   */
  Duration reserve(int users) {
    if (usersPerWindow == 0) {
      return Duration.ZERO;
    }
    if (users > usersPerWindow) {
      throw new IllegalArgumentException(users + " users in one request can never fit a budget of "
          + usersPerWindow + " per " + window.toSeconds() + " s");
    }
    synchronized (this) {
      long now = nanoClock.getAsLong();
      long windowNanos = window.toNanos();
      while (!reservations.isEmpty() && reservations.peekFirst()[0] + windowNanos <= now) {
        reserved -= reservations.pollFirst()[1];
      }
      // The earliest start at which the window holds at most the budget: drop the oldest
      // reservations (in thought) until this one fits, and start when the last of them expires.
      long start = now;
      long inWindow = reserved;
      for (long[] r : reservations) {
        if (inWindow + users <= usersPerWindow) {
          break;
        }
        inWindow -= r[1];
        start = Math.max(start, r[0] + windowNanos);
      }
      if (!reservations.isEmpty()) {
        start = Math.max(start, reservations.peekLast()[0]);
      }
      reservations.addLast(new long[] {start, users});
      reserved += users;
      return Duration.ofNanos(start - now);
    }
  }
}
