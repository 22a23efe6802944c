package dev.userstream.ingest;

import dev.userstream.ingest.PublishUnpublished.KafkaTarget;
import dev.userstream.options.CommandLine;
import dev.userstream.schema.SchemaRegistryClient;
import dev.userstream.schema.UserSchema;
import dev.userstream.shared.FailureMessages;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestion pipeline, a bounded run: pages from the randomuser.me API, staged as raw JSON in
 * PostgreSQL, then every unpublished staged row published to Kafka and marked published.
 *
 * <pre>
 *   FetchPages -> StageUsers (JdbcIO, ON CONFLICT DO NOTHING; staged / already-staged counts)
 *                      \-- when complete --> PublishUnpublished (JdbcIO read -> Kafka -> mark published)
 * </pre>
 *
 * Re-running is safe: the same seed and pages stage nothing new and publish nothing new, and rows
 * an earlier run staged but did not publish are published by the next one. On the Spark runner:
 * {@code java -cp userstream-spark-bundled.jar dev.userstream.ingest.IngestPipeline
 * --runner=SparkRunner --sparkMaster=local[2] --pages=40}.
 */
public final class IngestPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);

  private IngestPipeline() {}

  public static void main(String[] args) {
    long started = System.nanoTime();
    try {
      // Inside the try: an unknown or malformed option is reported like any other failure.
      IngestPipelineOptions options =
          CommandLine.parse(args, IngestPipelineOptions.class);
      PipelineResult result = run(Pipeline.create(options), options);
      result.waitUntilFinish();
      Map<String, Long> counts = counters(result);
      double seconds = (System.nanoTime() - started) / 1e9;
      LOG.info("Ingestion done in {} s: {} pages, {} users fetched ({} retries), {} staged, {} already staged,"
              + " {} published to {}",
          String.format("%.1f", seconds), counts.get(IngestMetrics.PAGES), counts.get(IngestMetrics.FETCHED),
          counts.get(IngestMetrics.RETRIES), counts.get(IngestMetrics.STAGED),
          counts.get(IngestMetrics.ALREADY_STAGED), counts.get(IngestMetrics.PUBLISHED), options.getOutputTopic());
    } catch (RuntimeException e) {
      LOG.error("Ingestion failed: {}", rootMessage(e));
      LOG.debug("Ingestion failure", e);
      System.exit(1);
    }
  }

  /** Builds the pipeline on {@code pipeline} and starts it; tests call this too. */
  public static PipelineResult run(Pipeline pipeline, IngestPipelineOptions options) {
    PostgresEndpoint postgres = build(pipeline, options);
    registerSchema(options);
    LOG.info("Ingesting {} page(s) of {} users (seed '{}'{}) from {} into {}, publishing to {} at {}",
        options.getPages(), options.getResultsPerPage(), options.getSeed(),
        options.getNat().isBlank() ? "" : ", nat " + options.getNat(), options.getApiUrl(), postgres,
        options.getOutputTopic(), options.getKafkaBootstrapServers());
    return pipeline.run();
  }

  /**
   * Registers the users schema for the output topic's values, so consumers can validate against
   * it; a registry that refuses it (an incompatible change) stops the run before anything is
   * fetched.
   */
  static void registerSchema(IngestPipelineOptions options) {
    if (options.getSchemaRegistryUrl().isBlank()) {
      LOG.warn("No schema registry (--schemaRegistryUrl is empty): the users schema is not registered");
      return;
    }
    SchemaRegistryClient registry = new SchemaRegistryClient(options.getSchemaRegistryUrl());
    SchemaRegistryClient.RegisteredSchema registered =
        registry.register(UserSchema.subjectOf(options.getOutputTopic()), UserSchema.text());
    LOG.info("Users schema: {} v{} (id {}) at {}", registered.subject(), registered.version(), registered.id(),
        registry.url());
  }

  static PostgresEndpoint build(Pipeline pipeline, IngestPipelineOptions options) {
    PostgresEndpoint postgres =
        PostgresEndpoint.of(
            options.getPostgresUrl(), options.getPostgresUser(), Path.of(options.getPostgresPasswordFile()),
            options.getStagingTable());
    FetchSettings fetch =
        new FetchSettings(
            options.getApiUrl(),
            Duration.ofMillis(options.getConnectTimeoutMillis()),
            Duration.ofMillis(options.getRequestTimeoutMillis()),
            new RetryPolicy(
                options.getMaxAttempts(),
                Duration.ofMillis(options.getInitialBackoffMillis()),
                Duration.ofMillis(options.getMaxBackoffMillis()),
                Duration.ofMinutes(5)),
            options.getMaxRequestsPerSecond(),
            options.getApiUsersPerWindow(),
            Duration.ofSeconds(options.getApiWindowSeconds()));

    PCollectionTuple fetched =
        pipeline.apply(
            "FetchPages",
            FetchPages.of(fetch, options.getSeed(), options.getFirstPage(), options.getPages(),
                options.getResultsPerPage(), options.getNat()));
    PCollection<Void> staged = fetched.apply("StageUsers", StageUsers.into(postgres, options.getStageBatchSize()));
    staged.apply(
        "PublishUnpublished",
        PublishUnpublished.to(
            postgres,
            new KafkaTarget(
                options.getKafkaBootstrapServers(), options.getOutputTopic(),
                Duration.ofSeconds(options.getPublishTimeoutSeconds())),
            options.getPublishPartitions()));
    return postgres;
  }

  /** The pipeline's counters, by name (0 when a counter never moved). */
  public static Map<String, Long> counters(PipelineResult result) {
    MetricQueryResults metrics =
        result.metrics().queryMetrics(
            MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(IngestMetrics.NAMESPACE)).build());
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : new String[] {IngestMetrics.PAGES, IngestMetrics.RETRIES, IngestMetrics.FETCHED,
        IngestMetrics.STAGED, IngestMetrics.ALREADY_STAGED, IngestMetrics.PUBLISHED}) {
      out.put(name, 0L);
    }
    for (MetricResult<Long> c : metrics.getCounters()) {
      Long value = c.getAttempted();
      try {
        value = c.getCommitted();
      } catch (UnsupportedOperationException notSupported) {
        // Some runners report attempted values only.
      }
      out.merge(c.getName().getName(), value == null ? 0L : value, Long::sum);
    }
    return out;
  }

  /**
   * What a failed run says: the page and its last error, or the publishing failure, rather than the
   * runner's wrapping of them; a PostgreSQL failure with its reason; else what
   * {@link FailureMessages#innermost} says (a refused option as it was worded).
   */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    SQLException database = null;
    while (!(t instanceof PageFetchException || t instanceof PublishException)
        && t.getCause() != null && t.getCause() != t) {
      database = database == null && t instanceof SQLException ? (SQLException) t : database;
      t = t.getCause();
    }
    if (t instanceof PageFetchException || t instanceof PublishException) {
      return t.getMessage();
    }
    database = database == null && t instanceof SQLException ? (SQLException) t : database;
    if (database == null) {
      return FailureMessages.innermost(e);
    }
    // A failed batch's own message quotes its whole statement, payloads included; the reason is
    // the next exception's, or the cause's. A database error alone ("FATAL: terminating
    // connection ...") says neither where nor what now, hence the prefix and the advice.
    Throwable reason = database;
    while (true) {
      if (reason instanceof SQLException && ((SQLException) reason).getNextException() != null) {
        reason = ((SQLException) reason).getNextException();
      } else if (reason.getCause() != null && reason.getCause() != reason) {
        reason = reason.getCause();
      } else {
        break;
      }
    }
    String message = reason instanceof BatchUpdateException || reason.getMessage() == null
        ? reason.getClass().getSimpleName() : reason.getMessage();
    return "PostgreSQL: " + message + " (what was staged is kept: run again to stage the rest and publish"
        + " every user once)";
  }
}
