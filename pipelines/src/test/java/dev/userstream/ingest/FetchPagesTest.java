package dev.userstream.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.userstream.emulator.Fault;
import dev.userstream.emulator.RandomUserEmulator;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** {@link FetchPages} on the DirectRunner against the in-process emulator. */
public class FetchPagesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final ObjectMapper JSON = new ObjectMapper();
  private RandomUserEmulator emulator;

  @Before
  public void start() throws Exception {
    emulator = RandomUserEmulator.start(0);
  }

  @After
  public void stop() {
    emulator.close();
  }

  private FetchSettings settings(int maxAttempts) {
    return settings(emulator.baseUrl(), maxAttempts, 0, Duration.ofSeconds(300));
  }

  private static FetchSettings settings(String url, int maxAttempts, long usersPerWindow, Duration window) {
    return new FetchSettings(url, Duration.ofSeconds(2), Duration.ofSeconds(30),
        new RetryPolicy(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(20)), 1000,
        usersPerWindow, window);
  }

  @Test
  public void everyUserOfEveryPageOnceWithItsPageAndKey() {
    PCollectionTuple fetched = pipeline.apply(FetchPages.of(settings(3), "fetch", 2, 3, 40, "FR,TR"));
    PAssert.that(fetched.get(FetchPages.USERS)).satisfies(users -> {
      Set<String> keys = new HashSet<>();
      Set<Integer> pages = new HashSet<>();
      long count = 0;
      for (StagedUser u : users) {
        count++;
        keys.add(u.uuid());
        pages.add(u.page());
        try {
          assertThat(JSON.readTree(u.payload()).at("/login/uuid").asText(), equalTo(u.uuid()));
          assertThat(JSON.readTree(u.payload()).get("nat").asText().matches("FR|TR"), equalTo(true));
        } catch (java.io.IOException e) {
          throw new AssertionError(e);
        }
        assertThat(u.seed(), equalTo("fetch"));
      }
      assertThat(count, equalTo(120L));
      assertThat(keys.size(), equalTo(120));
      assertThat(pages, equalTo(Set.of(2, 3, 4)));
      return null;
    });
    PAssert.that(fetched.get(FetchPages.PAGES)).satisfies(pages -> {
      assertThat(StreamSupport.stream(pages.spliterator(), false).mapToInt(PageSummary::users).sum(), equalTo(120));
      return null;
    });
    emulator.inject(Fault.ERROR_BODY, 1, 3);
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertThat(dev.userstream.ingest.IngestPipeline.counters(result).get(IngestMetrics.PAGES), equalTo(3L));
    assertThat(dev.userstream.ingest.IngestPipeline.counters(result).get(IngestMetrics.RETRIES), equalTo(1L));
    assertThat(dev.userstream.ingest.IngestPipeline.counters(result).get(IngestMetrics.FETCHED), equalTo(120L));
  }

  @Test
  public void aPageThatKeepsFailingFailsTheRunNamingIt() {
    pipeline.apply(FetchPages.of(settings(2), "fetch", 1, 3, 10, ""));
    emulator.inject(Fault.BAD_GATEWAY_HTML, 10, 2);
    PipelineExecutionException e = assertThrows(PipelineExecutionException.class, () -> pipeline.run().waitUntilFinish());
    assertThat(IngestPipeline.rootMessage(e), containsString("page 2 (seed 'fetch', 10 results) from " + emulator.baseUrl()
        + " failed after 2 attempts; last error: HTTP 502"));
  }

  /**
   * 60,000 users from an API that serves each client 20,000 per window, as randomuser.me does
   * (per 5 minutes; here per 3 s): the budget spreads the pages over the windows, and a 429 that
   * comes anyway (the server's window starts with its first request, not ours) is waited out
   * without spending the page's attempts (two here).
   */
  @Test
  public void sixtyThousandUsersFromAnApiLimitedTo20000PerWindowAllArrive() throws Exception {
    Duration window = Duration.ofSeconds(3);
    try (RandomUserEmulator limited = RandomUserEmulator.start(0, 20_000, window.toNanos())) {
      long started = System.nanoTime();
      PCollectionTuple fetched =
          pipeline.apply(FetchPages.of(settings(limited.baseUrl(), 2, 20_000, window), "window", 1, 12, 5000, ""));
      PAssert.that(fetched.get(FetchPages.PAGES)).satisfies(pages -> {
        assertThat(StreamSupport.stream(pages.spliterator(), false).mapToInt(PageSummary::users).sum(), equalTo(60_000));
        return null;
      });
      PipelineResult result = pipeline.run();
      result.waitUntilFinish();
      assertThat(IngestPipeline.counters(result).get(IngestMetrics.FETCHED), equalTo(60_000L));
      // Three windows' worth at 20,000 each: the first pages of the third window wait two windows.
      assertThat(Duration.ofNanos(System.nanoTime() - started).compareTo(window.multipliedBy(2)) >= 0, equalTo(true));
    }
  }

  @Test
  public void aPageLargerThanTheBudgetIsRefusedUpFront() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FetchPages.of(settings(emulator.baseUrl(), 1, 1000, Duration.ofSeconds(300)), "s", 1, 1, 5000, ""));
    assertThat(e.getMessage(), containsString("resultsPerPage (5000) is more than apiUsersPerWindow (1000)"));
  }

  @Test
  public void resultsOutOfTheApisRangeAreRefusedUpFront() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FetchPages.of(settings(1), "s", 1, 1, 5001, ""));
    assertThat(e.getMessage(), containsString("resultsPerPage must be within 1..5000"));
  }
}
