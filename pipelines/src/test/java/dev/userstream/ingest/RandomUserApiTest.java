package dev.userstream.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.Assert.assertThrows;

import dev.userstream.emulator.Fault;
import dev.userstream.emulator.RandomUserEmulator;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The retry policy against the in-process emulator's injected faults. Waits between attempts go to
 * a recording sleeper, so the tests take no real backoff time and can check every wait.
 */
public class RandomUserApiTest {
  private static final RetryPolicy POLICY =
      new RetryPolicy(4, Duration.ofMillis(1000), Duration.ofSeconds(30), Duration.ofSeconds(60));

  private RandomUserEmulator emulator;
  private final List<Duration> waits = new ArrayList<>();

  @Before
  public void start() throws Exception {
    emulator = RandomUserEmulator.start(0);
  }

  @After
  public void stop() {
    emulator.close();
  }

  private RandomUserApi client(String url, Duration requestTimeout) {
    return new RandomUserApi(url, Duration.ofSeconds(2), requestTimeout, POLICY,
        new RequestRateLimiter(1000, System::nanoTime), new UserBudget(0, Duration.ofSeconds(300), System::nanoTime),
        waits::add, () -> 0.5);
  }

  private RandomUserApi client() {
    return client(emulator.baseUrl(), Duration.ofSeconds(10));
  }

  private static PageRequest page(int page) {
    return new PageRequest("retry", page, 50, "");
  }

  @Test
  public void aPageThatFailsTwiceThenSucceedsArrivesWhole() throws Exception {
    emulator.inject(Fault.BAD_GATEWAY_HTML, 1);
    emulator.inject(Fault.ERROR_BODY, 1);
    FetchedPage fetched = client().fetch(page(1));
    assertThat(fetched.users(), hasSize(50));
    assertThat(fetched.attempts(), equalTo(3));
    // Equal jitter at random 0.5: three quarters of 1 s, then of 2 s.
    assertThat(waits, equalTo(List.of(Duration.ofMillis(750), Duration.ofMillis(1500))));

    waits.clear();
    FetchedPage again = client().fetch(page(1));
    assertThat(texts(again), equalTo(texts(fetched)));
    assertThat(waits, empty());
  }

  private static List<String> texts(FetchedPage page) {
    return page.users().stream().map(ApiUser::text).collect(java.util.stream.Collectors.toList());
  }

  @Test
  public void rateLimitingHonoursRetryAfter() throws Exception {
    emulator.inject(Fault.RATE_LIMITED, 1);
    FetchedPage fetched = client().fetch(page(2));
    assertThat(fetched.attempts(), equalTo(2));
    // The emulator says Retry-After: 1; backoff alone would have waited 750 ms.
    assertThat(waits, equalTo(List.of(Duration.ofSeconds(1))));
  }

  /**
   * The real service's answer once a client's users per window are spent: 429, no Retry-After.
   * The client waits the window out (really, here 2 s) and asks again, and that wait is not one of
   * the page's attempts.
   */
  @Test
  public void a429WithoutRetryAfterIsWaitedOutWithoutSpendingAnAttempt() throws Exception {
    Duration window = Duration.ofSeconds(2);
    try (RandomUserEmulator limited = RandomUserEmulator.start(0, 50, window.toNanos())) {
      RandomUserApi api = new RandomUserApi(limited.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(10), POLICY,
          new RequestRateLimiter(1000, System::nanoTime), new UserBudget(0, window, System::nanoTime),
          d -> {
            waits.add(d);
            Sleeper.REAL.sleep(d);
          }, () -> 0.5);
      assertThat(api.fetch(page(1)).attempts(), equalTo(1)); // 50 users: the window's limit reached
      FetchedPage second = api.fetch(page(2));
      assertThat(second.users(), hasSize(50));
      assertThat(second.attempts(), equalTo(1));
      assertThat(waits, equalTo(List.of(window)));
    }
  }

  @Test
  public void truncatedAndSlowAnswersAreRetried() throws Exception {
    emulator.slowDelayMillis(1500);
    emulator.inject(Fault.TRUNCATED, 1);
    emulator.inject(Fault.SLOW, 1);
    FetchedPage fetched = client(emulator.baseUrl(), Duration.ofMillis(300)).fetch(page(3));
    assertThat(fetched.users(), hasSize(50));
    assertThat(fetched.attempts(), equalTo(3));
  }

  @Test
  public void aPageThatKeepsFailingFailsNamingThePageAndTheLastError() {
    emulator.inject(Fault.ERROR_BODY, 3);
    emulator.inject(Fault.BAD_GATEWAY_HTML, 5);
    PageFetchException e = assertThrows(PageFetchException.class, () -> client().fetch(page(7)));
    assertThat(e.getMessage(), allOf(
        containsString("page 7 (seed 'retry', 50 results)"),
        containsString("failed after 4 attempts"),
        containsString("last error: HTTP 502 text/html: <html>")));
    assertThat(waits, hasSize(3));
    assertThat(waits.get(2), equalTo(Duration.ofMillis(3000)));
  }

  @Test
  public void otherClientErrorsAreNotRetried() {
    PageFetchException e = assertThrows(PageFetchException.class,
        () -> client(emulator.baseUrl().replace("/api/", "/nothing-here/"), Duration.ofSeconds(5)).fetch(page(1)));
    assertThat(e.getMessage(), containsString("was refused, not retried: HTTP 404"));
    assertThat(waits, empty());
  }

  @Test
  public void aServerThatIsNotThereIsRetriedThenNamed() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    PageFetchException e = assertThrows(PageFetchException.class,
        () -> client("http://127.0.0.1:" + closedPort + "/api/", Duration.ofSeconds(5)).fetch(page(1)));
    assertThat(e.getMessage(), allOf(containsString("failed after 4 attempts"), containsString("cannot connect")));
    assertThat(waits, hasSize(3));
    assertThat(waits.get(0).toMillis(), greaterThanOrEqualTo(500L));
  }
}
