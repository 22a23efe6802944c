package dev.userstream.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userstream.ingest.IngestPipeline;
import dev.userstream.testing.BundledJob;
import dev.userstream.testing.IngestScenario;
import dev.userstream.testing.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * End to end on the Spark runner, both pipelines from the bundled jar as users run them: emulator
 * -> IngestPipeline (batch, local[2]) -> PostgreSQL -> Kafka -> StreamPipeline (streaming,
 * local[2]) -> Cassandra. Every user the API served is in Cassandra exactly once with its fields.
 */
public class IngestToCassandraIT {
  private static final int PAGES = 2;
  private static final int RESULTS = 1000;

  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void everyUserFetchedIsStoredOnceWithTheRightFields() throws Exception {
    try (LocalStack stack = new LocalStack(); IngestScenario scenario = new IngestScenario(stack)) {
      Map<String, JsonNode> served = scenario.served(PAGES, RESULTS);
      try (BundledJob ingest = BundledJob.startMain(BundledJob.jar("spark"), IngestPipeline.class.getName(),
          "e2e-ingest-" + stack.id, scenario.args(PAGES, RESULTS, "--runner=SparkRunner", "--sparkMaster=local[2]"))) {
        assertThat("exit status; log " + ingest.log, ingest.awaitExit(Duration.ofMinutes(3)), equalTo(0));
        assertThat(ingest.output(), containsString("2000 users fetched (0 retries), 2000 staged, 0 already staged, 2000 published"));
      }

      List<String> streamArgs = new ArrayList<>(List.of(
          "--kafkaBootstrapServers=" + LocalStack.KAFKA,
          "--inputTopic=" + stack.inputTopic,
          "--deadLetterTopic=" + stack.deadLetterTopic,
          "--consumerGroup=" + stack.consumerGroup,
          "--cassandraHosts=" + LocalStack.CASSANDRA,
          "--cassandraKeyspace=" + stack.keyspace,
          "--runner=SparkRunner",
          "--sparkMaster=local[2]",
          BundledJob.checkpointDir(checkpoints.newFolder())));
      try (BundledJob stream = BundledJob.start(BundledJob.jar("spark"), "e2e-stream-" + stack.id, streamArgs)) {
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
