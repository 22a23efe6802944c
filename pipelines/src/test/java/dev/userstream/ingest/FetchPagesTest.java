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
    return new FetchSettings(emulator.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(10),
        new RetryPolicy(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(20)), 1000);
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

  @Test
  public void resultsOutOfTheApisRangeAreRefusedUpFront() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FetchPages.of(settings(1), "s", 1, 1, 5001, ""));
    assertThat(e.getMessage(), containsString("resultsPerPage must be within 1..5000"));
  }
}
