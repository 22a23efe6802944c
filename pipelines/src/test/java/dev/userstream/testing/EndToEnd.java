package dev.userstream.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userstream.ingest.IngestPipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Both pipelines from a runner's bundled jar, as users run them: emulator -> IngestPipeline (batch)
 * -> PostgreSQL -> Kafka -> the jar's streaming main -> Cassandra. Every user the API served is in
 * Cassandra exactly once with its fields, nothing dead-lettered, every staged row published.
 */
public final class EndToEnd {
  private static final int PAGES = 2;
  private static final int RESULTS = 1000;

  private EndToEnd() {}

  /** {@code ingestRunner} and {@code streamRunner}: the runner options of each job ({@code --runner=...}). */
  public static void everyUserFetchedIsStoredOnce(Path jar, List<String> ingestRunner, List<String> streamRunner)
      throws Exception {
    try (LocalStack stack = new LocalStack(); IngestScenario scenario = new IngestScenario(stack)) {
      Map<String, JsonNode> served = scenario.served(PAGES, RESULTS);
      try (BundledJob ingest = BundledJob.startMain(jar, IngestPipeline.class.getName(), "e2e-ingest-" + stack.id,
          scenario.args(PAGES, RESULTS, ingestRunner.toArray(String[]::new)))) {
        assertThat("exit status; log " + ingest.log, ingest.awaitExit(Duration.ofMinutes(3)), equalTo(0));
        assertThat(ingest.output(), containsString("2000 users fetched (0 retries), 2000 staged, 0 already staged, 2000 published"));
      }

      List<String> streamArgs = new ArrayList<>(List.of(
          "--kafkaBootstrapServers=" + LocalStack.KAFKA,
          "--inputTopic=" + stack.inputTopic,
          "--deadLetterTopic=" + stack.deadLetterTopic,
          "--consumerGroup=" + stack.consumerGroup,
          "--cassandraHosts=" + LocalStack.CASSANDRA,
          "--cassandraKeyspace=" + stack.keyspace));
      streamArgs.addAll(streamRunner);
      try (BundledJob stream = BundledJob.start(jar, "e2e-stream-" + stack.id, streamArgs)) {
        LocalStack.await(Duration.ofMinutes(4),
            () -> stack.rowCount() + " of " + served.size() + " rows; job log " + stream.log,
            LocalStack.unchecked(() -> stream.isAlive() && stack.rowCount() >= served.size() && stack.lag(stack.consumerGroup) == 0));
      }

      Map<UUID, Map<String, Object>> rows = stack.rows();
      assertThat(rows.keySet().stream().map(UUID::toString).collect(Collectors.toSet()), equalTo(served.keySet()));
      assertThat(stack.deadLetterCount(), equalTo(0L));
      for (Map.Entry<String, JsonNode> e : served.entrySet()) {
        JsonNode user = e.getValue();
        Map<String, Object> row = rows.get(UUID.fromString(e.getKey()));
        assertThat(row.get("first_name"), equalTo(user.at("/name/first").asText()));
        assertThat(row.get("last_name"), equalTo(user.at("/name/last").asText()));
        assertThat(row.get("email"), equalTo(user.get("email").asText()));
        assertThat(row.get("city"), equalTo(user.at("/location/city").asText()));
        // A number for some nationalities, a string for others: text either way.
        assertThat(row.get("postcode"), equalTo(user.at("/location/postcode").asText()));
        assertThat(row.get("latitude"), equalTo(Double.parseDouble(user.at("/location/coordinates/latitude").asText())));
        assertThat(row.get("username"), equalTo(user.at("/login/username").asText()));
        assertThat(row.get("dob"), equalTo(java.time.Instant.parse(user.at("/dob/date").asText())));
        assertThat(row.get("age"), equalTo(user.at("/dob/age").asInt()));
        assertThat(row.get("nat"), equalTo(user.get("nat").asText()));
        assertThat(row.get("picture_url"), equalTo(user.at("/picture/large").asText()));
      }
      // Every staged row is marked published: a re-run would publish nothing.
      assertThat(scenario.table.unpublished(), equalTo(0L));
    }
  }
}
