package dev.userstream.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.userstream.emulator.RandomUserEmulator;
import dev.userstream.ingest.IngestPipelineOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * An ingestion run's world for one test: the stack's Kafka (this test's input topic), a staging
 * table of its own, an in-process randomuser.me emulator and a seed nobody else uses. Knows what
 * the API serves, so tests compare what arrived with what was there to fetch.
 */
public final class IngestScenario implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final LocalStack stack;
  public final StagingTable table;
  public final RandomUserEmulator api;
  public final String seed;

  public IngestScenario(LocalStack stack) throws Exception {
    this.stack = stack;
    this.table = new StagingTable();
    this.api = RandomUserEmulator.start(0);
    this.seed = "it-" + stack.id;
  }

  /**
   * Command-line arguments of IngestPipeline for this scenario, with quick retries; {@code extra}
   * adds options or replaces those of the same name.
   */
  public List<String> args(int pages, int resultsPerPage, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--apiUrl=" + api.baseUrl(),
        "--seed=" + seed,
        "--pages=" + pages,
        "--resultsPerPage=" + resultsPerPage,
        "--maxAttempts=3",
        "--initialBackoffMillis=20",
        "--maxBackoffMillis=100",
        "--maxRequestsPerSecond=100",
        "--postgresUrl=" + StagingTable.URL,
        "--postgresUser=" + StagingTable.USER,
        "--postgresPasswordFile=" + StagingTable.PASSWORD_FILE.toAbsolutePath(),
        "--stagingTable=" + table.name,
        "--kafkaBootstrapServers=" + LocalStack.KAFKA,
        "--outputTopic=" + stack.inputTopic,
        "--schemaRegistryUrl=" + LocalStack.SCHEMA_REGISTRY));
    for (String option : extra) {
      String name = option.substring(0, option.indexOf('=') + 1);
      args.removeIf(a -> a.startsWith(name));
      args.add(option);
    }
    return args;
  }

  public IngestPipelineOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().as(IngestPipelineOptions.class);
  }

  /** The users the API serves for pages 1..pages of this seed, by login.uuid. */
  public Map<String, JsonNode> served(int pages, int resultsPerPage) throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    HttpClient http = HttpClient.newHttpClient();
    for (int page = 1; page <= pages; page++) {
      URI uri = URI.create(api.baseUrl() + "?results=" + resultsPerPage + "&page=" + page + "&seed=" + seed);
      byte[] body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
      for (JsonNode user : JSON.readTree(body).get("results")) {
        out.put(user.at("/login/uuid").asText(), user);
      }
    }
    return out;
  }

  /** What the input topic holds, by key; fails if a key is there twice. */
  public Map<String, JsonNode> publishedOnce() throws Exception {
    Map<String, JsonNode> out = new HashMap<>();
    List<ConsumerRecord<byte[], byte[]>> records = stack.records(stack.inputTopic);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.put(new String(r.key(), UTF_8), JSON.readTree(r.value()));
    }
    assertThat("records in " + stack.inputTopic + " with distinct keys", out.size(), equalTo(records.size()));
    return out;
  }

  @Override
  public void close() throws Exception {
    api.close();
    table.close();
  }
}
