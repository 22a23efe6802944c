package dev.userstream.ingest;

import dev.userstream.options.KafkaOptions;
import dev.userstream.options.PostgresOptions;
import dev.userstream.options.SchemaRegistryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@link IngestPipeline}. The API defaults to the real randomuser.me; the PostgreSQL and
 * Kafka defaults reach the local stack started by infra/stack.py.
 */
public interface IngestPipelineOptions extends KafkaOptions, PostgresOptions, SchemaRegistryOptions {
  @Description("randomuser.me API URL; the local emulator is http://127.0.0.1:18500/api/")
  @Default.String("https://randomuser.me/api/")
  String getApiUrl();

  void setApiUrl(String value);

  @Description("Seed: the same seed, page and resultsPerPage give the same users, so re-runs are idempotent;"
      + " use a new seed (a date, say) for new users")
  @Default.String("userstream")
  String getSeed();

  void setSeed(String value);

  @Description("Number of pages to fetch")
  @Default.Integer(1)
  int getPages();

  void setPages(int value);

  @Description("First page to fetch (1-based); pages firstPage .. firstPage + pages - 1 are fetched")
  @Default.Integer(1)
  int getFirstPage();

  void setFirstPage(int value);

  @Description("Users per page, 1..5000")
  @Default.Integer(5000)
  int getResultsPerPage();

  void setResultsPerPage(int value);

  @Description("Nationalities, comma-separated (e.g. US,GB,FR); empty for all")
  @Default.String("")
  String getNat();

  void setNat(String value);

  @Description("Most requests per second this worker process sends to the API")
  @Default.Double(10)
  double getMaxRequestsPerSecond();

  void setMaxRequestsPerSecond(double value);

  @Description("Most users this worker process asks the API for in any --apiWindowSeconds; requests wait"
      + " for room (randomuser.me allows 20,000 per 5 minutes per client). 0: no budget")
  @Default.Long(20_000)
  long getApiUsersPerWindow();

  void setApiUsersPerWindow(long value);

  @Description("The window of --apiUsersPerWindow in seconds; also how long an HTTP 429 without Retry-After"
      + " is waited out")
  @Default.Long(300)
  long getApiWindowSeconds();

  void setApiWindowSeconds(long value);

  @Description("Attempts per page before the run fails (429, 5xx, error bodies, bad JSON, timeouts are retried)")
  @Default.Integer(6)
  int getMaxAttempts();

  void setMaxAttempts(int value);

  @Description("First wait between attempts in ms; it doubles per failure, with jitter")
  @Default.Long(500)
  long getInitialBackoffMillis();

  void setInitialBackoffMillis(long value);

  @Description("Longest wait between attempts in ms (a longer Retry-After is honoured up to 5 minutes)")
  @Default.Long(30_000)
  long getMaxBackoffMillis();

  void setMaxBackoffMillis(long value);

  @Description("TCP connect timeout in ms")
  @Default.Long(10_000)
  long getConnectTimeoutMillis();

  void setConnectTimeoutMillis(long value);

  @Description("Time in ms a whole response (headers and body) may take")
  @Default.Long(60_000)
  long getRequestTimeoutMillis();

  void setRequestTimeoutMillis(long value);

  @Description("Rows per JDBC batch when staging (JdbcIO cuts a batch once it holds more than this: up to one more)")
  @Default.Integer(1000)
  int getStageBatchSize();

  void setStageBatchSize(int value);

  @Description("Topic the staged users are published to, keyed by login.uuid")
  @Default.String("users.raw")
  String getOutputTopic();

  void setOutputTopic(String value);

  @Description("Disjoint slices the unpublished rows are read and published in (parallelism of publishing)")
  @Default.Integer(4)
  int getPublishPartitions();

  void setPublishPartitions(int value);

  @Description("Seconds a Kafka send may take (connecting included) before the run fails")
  @Default.Integer(120)
  int getPublishTimeoutSeconds();

  void setPublishTimeoutSeconds(int value);
}
