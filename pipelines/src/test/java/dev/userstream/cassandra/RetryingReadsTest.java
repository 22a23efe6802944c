package dev.userstream.cassandra;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.ReadFailureException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

public class RetryingReadsTest {
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  @Test
  public void transientReadFailuresAreRetriedUntilTheReadSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    long rows = RetryingReads.retry("count", System.nanoTime() + MINUTE, () -> {
      switch (calls.incrementAndGet()) {
        case 1:
          throw new ReadFailureException(null, ConsistencyLevel.LOCAL_ONE, 0, 1, 1, false, Map.of());
        case 2:
          throw new ReadTimeoutException(null, ConsistencyLevel.LOCAL_ONE, 0, 1, false);
        default:
          return 42L;
      }
    });
    assertThat(rows, equalTo(42L));
    assertThat(calls.get(), equalTo(3));
  }

  @Test
  public void pastTheDeadlineTheTransientFailureIsThrown() {
    AtomicInteger calls = new AtomicInteger();
    assertThrows(ReadTimeoutException.class, () -> RetryingReads.retry("count", System.nanoTime() - 1, () -> {
      calls.incrementAndGet();
      throw new ReadTimeoutException(null, ConsistencyLevel.ONE, 0, 1, false);
    }));
    assertThat(calls.get(), equalTo(1));
  }

  @Test
  public void otherErrorsAreNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    assertThrows(InvalidQueryException.class, () -> RetryingReads.retry("count", System.nanoTime() + MINUTE, () -> {
      calls.incrementAndGet();
      throw new InvalidQueryException(null, "unconfigured table users");
    }));
    assertThat(calls.get(), equalTo(1));
  }
}
