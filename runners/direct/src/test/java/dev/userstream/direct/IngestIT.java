package dev.userstream.direct;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.in;
import static org.junit.Assert.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userstream.emulator.Fault;
import dev.userstream.ingest.IngestMetrics;
import dev.userstream.ingest.IngestPipeline;
import dev.userstream.ingest.IngestPipelineOptions;
import dev.userstream.testing.BundledJob;
import dev.userstream.testing.IngestScenario;
import dev.userstream.testing.LocalStack;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.PipelineResult;
import org.junit.Test;

/**
 * The ingestion pipeline on the DirectRunner against the stack's real PostgreSQL and Kafka and an
 * in-process emulator: what is fetched is staged and published once, re-runs add nothing, API
 * failures are retried or fail the run clearly, and nothing staged is ever lost.
 */
public class IngestIT {
  private static final int PAGES = 3;
  private static final int RESULTS = 200;

  private static Map<String, Long> run(IngestScenario scenario, List<String> args) {
    IngestPipelineOptions options = scenario.options(args);
    PipelineResult result = IngestPipeline.run(Pipeline.create(options), options);
    result.waitUntilFinish();
    return IngestPipeline.counters(result);
  }

  private static void assertCounts(Map<String, Long> counts, long fetched, long staged, long alreadyStaged, long published) {
    assertThat(counts.toString(), new long[] {
        counts.get(IngestMetrics.FETCHED), counts.get(IngestMetrics.STAGED),
        counts.get(IngestMetrics.ALREADY_STAGED), counts.get(IngestMetrics.PUBLISHED)},
        equalTo(new long[] {fetched, staged, alreadyStaged, published}));
  }

  /** Every served user is in the topic exactly once, keyed by uuid, with the API's JSON as value. */
  private static void assertPublishedExactly(IngestScenario scenario, Map<String, JsonNode> served) throws Exception {
    Map<String, JsonNode> published = scenario.publishedOnce();
    assertThat(published.keySet(), equalTo(served.keySet()));
    served.forEach((key, user) -> assertThat(published.get(key), equalTo(user)));
    assertThat(scenario.table.keys(""), equalTo(served.keySet()));
    assertThat(scenario.table.unpublished(), equalTo(0L));
  }

  @Test
  public void fetchesStagesAndPublishesEveryUserOnceAndReRunsAddNothing() throws Exception {
    try (LocalStack stack = new LocalStack(); IngestScenario scenario = new IngestScenario(stack)) {
      Map<String, JsonNode> served = scenario.served(PAGES, RESULTS);
      assertCounts(run(scenario, scenario.args(PAGES, RESULTS)), 600, 600, 0, 600);
      assertPublishedExactly(scenario, served);
      assertThat(scenario.table.count("seed = '" + scenario.seed + "' AND page BETWEEN 1 AND 3"), equalTo(600L));

      // The same seed and pages again, from the bundled jar as users run it: nothing new anywhere.
      try (BundledJob again = BundledJob.startMain(BundledJob.jar("direct"), IngestPipeline.class.getName(),
          "ingest-rerun-" + stack.id, scenario.args(PAGES, RESULTS, "--runner=DirectRunner"))) {
        assertThat("exit status; log " + again.log, again.awaitExit(Duration.ofMinutes(3)), equalTo(0));
        assertThat(again.output(), containsString("600 users fetched (0 retries), 0 staged, 600 already staged, 0 published"));
      }
      assertPublishedExactly(scenario, served);
    }
  }

  @Test
  public void anApiThatFailsTwiceThenSucceedsStillYieldsEveryUser() throws Exception {
    try (LocalStack stack = new LocalStack(); IngestScenario scenario = new IngestScenario(stack)) {
      scenario.api.inject(Fault.BAD_GATEWAY_HTML, 1);
      scenario.api.inject(Fault.ERROR_BODY, 1);
      Map<String, Long> counts = run(scenario, scenario.args(PAGES, RESULTS));
      assertCounts(counts, 600, 600, 0, 600);
      assertThat(counts.get(IngestMetrics.RETRIES), equalTo(2L));
      assertPublishedExactly(scenario, scenario.served(PAGES, RESULTS));
    }
  }

  @Test
  public void aPageThatKeepsFailingFailsTheRunKeepsWhatWasStagedAndTheNextRunPublishesIt() throws Exception {
    try (LocalStack stack = new LocalStack(); IngestScenario scenario = new IngestScenario(stack)) {
      scenario.api.inject(Fault.BAD_GATEWAY_HTML, 50, 3);
      PipelineExecutionException failed =
          assertThrows(PipelineExecutionException.class, () -> run(scenario, scenario.args(PAGES, RESULTS)));
      assertThat(IngestPipeline.rootMessage(failed), allOf(
          containsString("page 3 (seed '" + scenario.seed + "', 200 results)"),
          containsString("failed after 3 attempts; last error: HTTP 502 text/html")));
      // Whatever got staged before the failure is intact and unpublished: publishing waits for staging.
      long stagedBefore = scenario.table.rowsOnceSettled();
      Map<String, JsonNode> firstTwoPages = scenario.served(2, RESULTS);
      assertThat(scenario.table.keys(""), everyItem(in(firstTwoPages.keySet())));
      assertThat(scenario.table.unpublished(), equalTo(stagedBefore));
      assertThat(stack.endOffsetSum(stack.inputTopic), equalTo(0L));

      scenario.api.clearFaults();
      assertCounts(run(scenario, scenario.args(PAGES, RESULTS)), 600, 600 - stagedBefore, stagedBefore, 600);
      assertPublishedExactly(scenario, scenario.served(PAGES, RESULTS));
    }
  }

  @Test
  public void kafkaDownBetweenStagingAndPublishingLosesNothing() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (LocalStack stack = new LocalStack(); IngestScenario scenario = new IngestScenario(stack)) {
      List<String> kafkaDown = scenario.args(PAGES, RESULTS,
          "--kafkaBootstrapServers=127.0.0.1:" + closedPort, "--publishTimeoutSeconds=5");
      PipelineExecutionException failed = assertThrows(PipelineExecutionException.class, () -> run(scenario, kafkaDown));
      assertThat(IngestPipeline.rootMessage(failed), allOf(
          containsString("publishing staged users to Kafka topic " + stack.inputTopic + " at 127.0.0.1:" + closedPort),
          containsString("they stay unpublished and the next run publishes them")));
      assertThat(scenario.table.rows(), equalTo(600L));
      assertThat(scenario.table.unpublished(), equalTo(600L));

      assertCounts(run(scenario, scenario.args(PAGES, RESULTS)), 600, 0, 600, 600);
      assertPublishedExactly(scenario, scenario.served(PAGES, RESULTS));
    }
  }
}
