package dev.userstream.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/** The benchmark refuses options it cannot run with before anything starts, naming each. */
public class BenchOptionsTest {
  private static Bench.Options options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(Bench.Options.class);
  }

  @Test
  public void theDefaultsAndEveryKnownPhaseAndRunnerPass() {
    assertThat(Bench.problems(options()), empty());
    assertThat(Bench.problems(options("--phases=ceilings,queries", "--runners=flink", "--cassandraWarmUpRows=0",
        "--poisonPercent=100")), empty());
  }

  @Test
  public void aMisspeltPhaseOrRunnerIsNamedWithTheKnownOnes() {
    assertThat(Bench.problems(options("--phases=drain,querys", "--runners=spark,flnk")), contains(
        "--phases: unknown phase 'querys' (ingest, drain, latency, queries, ceilings)",
        "--runners: unknown runner 'flnk' (spark, flink)"));
  }

  @Test
  public void ratesDurationsAndCountsMustBePositive() {
    assertThat(Bench.problems(options("--users=0", "--rate=0", "--seconds=-1", "--queryRate=0", "--querySeconds=0",
        "--queryClients=0", "--cassandraWarmUpRows=-1", "--poisonPercent=101")), contains(
        "--users must be at least 1, not 0",
        "--rate must be at least 1, not 0",
        "--seconds must be at least 1, not -1",
        "--queryRate must be at least 1, not 0",
        "--querySeconds must be at least 1, not 0",
        "--queryClients must be at least 1, not 0",
        "--cassandraWarmUpRows must be 0 (no warm-up) or more, not -1",
        "--poisonPercent must be from 0 to 100, not 101"));
  }
}
