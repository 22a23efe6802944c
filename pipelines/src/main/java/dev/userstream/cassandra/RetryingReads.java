package dev.userstream.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.ReadFailureException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads that a busy or restarting Cassandra may fail for a while ({@code ReadFailureException ...
 * consistency LOCAL_ONE}, read and client timeouts, no host available), retried with backoff
 * until the caller's deadline. For the tools that poll Cassandra (Report, the benchmark): a node
 * that is slow for a moment delays them; it does not end them. Other errors (a missing table, a
 * refused login) are not retried.
 */
public final class RetryingReads {
  private static final Logger LOG = LoggerFactory.getLogger(RetryingReads.class);
  private static final long FIRST_BACKOFF_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private RetryingReads() {}

  /** {@code read}, retried while it fails transiently and {@code deadlineNanos} (System.nanoTime) is ahead. */
  public static <T> T retry(String what, long deadlineNanos, Supplier<T> read) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (ReadTimeoutException | ReadFailureException | DriverTimeoutException
          | AllNodesFailedException | UnavailableException e) {
        if (System.nanoTime() >= deadlineNanos) {
          throw e;
        }
        long backoff = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(attempt - 1, 5));
        if (attempt == 1 || attempt % 10 == 0) {
          LOG.warn("{}: Cassandra read failed (attempt {}), retrying in {} ms: {}", what, attempt, backoff, e.getMessage());
        }
        Thread.sleep(backoff);
      }
    }
  }
}
