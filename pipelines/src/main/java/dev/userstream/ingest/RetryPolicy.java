package dev.userstream.ingest;

import java.io.Serializable;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How often and how long to wait before asking for a page again: exponential backoff from
 * {@code initialBackoff}, capped at {@code maxBackoff}, with "equal jitter" (a random half of each
 * wait) so workers that failed together do not retry together. A server's {@code Retry-After}
 * lengthens a wait, never shortens it, up to {@code maxRetryAfter}.
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter)
    implements Serializable {

  RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "need 0 <= initialBackoff <= maxBackoff, got " + initialBackoff + " and " + maxBackoff);
    }
  }

  /** The wait after {@code failedAttempts} failures (1 for the first), given a random in [0, 1). */
  Duration backoff(int failedAttempts, Optional<Duration> retryAfter, DoubleSupplier random) {
    long initial = initialBackoff.toMillis();
    long cap = maxBackoff.toMillis();
    int doublings = Math.min(failedAttempts - 1, 30);
    long base = Math.min(cap, initial << doublings);
    long jittered = base / 2 + (long) (random.getAsDouble() * (base - base / 2));
    long wait = jittered;
    if (retryAfter.isPresent()) {
      wait = Math.max(wait, Math.min(retryAfter.get().toMillis(), maxRetryAfter.toMillis()));
    }
    return Duration.ofMillis(wait);
  }

  /** A {@code Retry-After} value: delta-seconds or an HTTP date (RFC 9110); empty if unreadable. */
  static Optional<Duration> parseRetryAfter(String value, java.time.Instant now) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }
}
