package dev.userstream.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import org.junit.Test;

/** {@link UserBudget} on a clock the test moves. */
public class UserBudgetTest {
  private final long[] now = {1_000_000_000L};
  private final UserBudget budget = new UserBudget(100, Duration.ofSeconds(10), () -> now[0]);

  @Test
  public void requestsWaitUntilEnoughOfTheWindowHasPassed() {
    assertThat(budget.reserve(60), equalTo(Duration.ZERO));
    assertThat(budget.reserve(40), equalTo(Duration.ZERO));
    // Full: 50 more fit once the first 60 leave the window, 10 s on.
    assertThat(budget.reserve(50), equalTo(Duration.ofSeconds(10)));
    // Queued behind it, never before it.
    assertThat(budget.reserve(10), equalTo(Duration.ofSeconds(10)));
    // A whole window's worth waits until everything before it has left the window.
    assertThat(budget.reserve(100), equalTo(Duration.ofSeconds(20)));
    now[0] += Duration.ofSeconds(31).toNanos();
    assertThat(budget.reserve(100), equalTo(Duration.ZERO));
  }

  @Test
  public void aRequestLargerThanTheBudgetCanNeverBeSent() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> budget.reserve(101));
    assertThat(e.getMessage(), containsString("101 users in one request can never fit a budget of 100 per 10 s"));
  }

  @Test
  public void noBudgetNeverWaits() {
    UserBudget none = new UserBudget(0, Duration.ofSeconds(10), () -> now[0]);
    for (int i = 0; i < 100; i++) {
      assertThat(none.reserve(5000), equalTo(Duration.ZERO));
    }
  }
}
