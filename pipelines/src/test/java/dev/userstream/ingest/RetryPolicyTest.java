package dev.userstream.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.Test;

/** Backoff, jitter, Retry-After and the request rate bound, without waiting for real. */
public class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(60));

  @Test
  public void backoffDoublesUpToTheCapWithHalfOfItJittered() {
    long[] low = new long[6];
    long[] high = new long[6];
    for (int failed = 1; failed <= 5; failed++) {
      low[failed] = policy.backoff(failed, Optional.empty(), () -> 0.0).toMillis();
      high[failed] = policy.backoff(failed, Optional.empty(), () -> 0.999_999).toMillis();
    }
    assertThat(new long[] {low[1], low[2], low[3], low[4], low[5]}, equalTo(new long[] {250, 500, 1000, 2000, 2000}));
    assertThat(new long[] {high[1], high[2], high[3], high[4], high[5]}, equalTo(new long[] {499, 999, 1999, 3999, 3999}));
  }

  @Test
  public void retryAfterLengthensAWaitUpToItsCapButNeverShortensIt() {
    assertThat(policy.backoff(1, Optional.of(Duration.ofSeconds(3)), () -> 0.0), equalTo(Duration.ofSeconds(3)));
    assertThat(policy.backoff(5, Optional.of(Duration.ofMillis(10)), () -> 0.0), equalTo(Duration.ofMillis(2000)));
    assertThat(policy.backoff(1, Optional.of(Duration.ofHours(1)), () -> 0.0), equalTo(Duration.ofSeconds(60)));
  }

  @Test
  public void retryAfterIsReadAsSecondsOrAnHttpDate() {
    Instant now = Instant.parse("2026-11-24T10:00:00Z");
    assertThat(RetryPolicy.parseRetryAfter("7", now), equalTo(Optional.of(Duration.ofSeconds(7))));
    assertThat(RetryPolicy.parseRetryAfter("Tue, 24 Nov 2026 10:00:30 GMT", now), equalTo(Optional.of(Duration.ofSeconds(30))));
    assertThat(RetryPolicy.parseRetryAfter("Tue, 24 Nov 2026 09:00:00 GMT", now), equalTo(Optional.of(Duration.ZERO)));
    assertThat(RetryPolicy.parseRetryAfter("soon", now), equalTo(Optional.empty()));
    assertThat(RetryPolicy.parseRetryAfter(null, now), equalTo(Optional.empty()));
  }

  @Test
  public void nonsensicalPoliciesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO));
  }

  @Test
  public void theRateLimiterSpacesRequestStarts() throws Exception {
    long[] clock = {0};
    List<Long> waits = new ArrayList<>();
    RequestRateLimiter limiter = new RequestRateLimiter(4, () -> clock[0]);
    Sleeper sleeper = d -> {
      waits.add(d.toMillis());
      clock[0] += d.toNanos();
    };
    for (int i = 0; i < 5; i++) {
      limiter.acquire(sleeper);
    }
    assertThat(waits, equalTo(List.of(250L, 250L, 250L, 250L)));
    clock[0] += 1_000_000_000L; // idle for a second: the next request goes at once
    limiter.acquire(sleeper);
    assertThat(waits.size(), equalTo(4));
  }
}
