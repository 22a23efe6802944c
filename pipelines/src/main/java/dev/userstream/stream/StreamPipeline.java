package dev.userstream.stream;

import dev.userstream.kafka.ReadRawUsers;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import dev.userstream.schema.PayloadSchema;
import dev.userstream.schema.SchemaRegistryClient;
import dev.userstream.schema.UserSchema;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.ExperimentalOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming pipeline: raw users from Kafka, parsed, validated and turned into typed profiles,
 * upserted into Cassandra; every rejected record goes to the dead-letter topic with its reason.
 *
 * <pre>
 *   ReadRawUsers -> ProcessUsers (ParseUsers -> ValidateUsers -> ToProfiles) -> StoreOutcomes
 *                                                 profiles to Cassandra, dead letters to Kafka,
 *                                                 then the consumer group's offsets
 * </pre>
 *
 * Runs until cancelled. On the Spark runner:
 * {@code java -jar userstream-spark-bundled.jar --runner=SparkRunner --sparkMaster=local[2]}.
 */
public final class StreamPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(StreamPipeline.class);

  private StreamPipeline() {}

  public static void main(String[] args) {
    StreamPipelineOptions options =
        CommandLine.parse(args, StreamPipelineOptions.class);
    run(Pipeline.create(options), options).waitUntilFinish();
  }

  /** Builds the pipeline on {@code pipeline} and starts it; tests call this too. */
  public static PipelineResult run(Pipeline pipeline, StreamPipelineOptions options) {
    build(pipeline, options);
    LOG.info(
        "Streaming {} from {} into Cassandra {}/{}.{}, dead letters to {}, consumer group {}",
        options.getInputTopic(),
        options.getKafkaBootstrapServers(),
        options.getCassandraHosts(),
        options.getCassandraKeyspace(),
        options.getCassandraTable(),
        options.getDeadLetterTopic(),
        options.getConsumerGroup());
    return pipeline.run();
  }

  /** With the input topic's registered schema, read once at startup, unless no registry is set. */
  static ProcessUsers processUsers(StreamPipelineOptions options) {
    ProcessUsers process = ProcessUsers.withMaxPayloadBytes(options.getMaxPayloadBytes());
    if (options.getSchemaRegistryUrl().isBlank()) {
      LOG.warn("No schema registry (--schemaRegistryUrl is empty): payloads are not checked against a schema");
      return process;
    }
    SchemaRegistryClient registry = new SchemaRegistryClient(options.getSchemaRegistryUrl());
    String subject = UserSchema.subjectOf(options.getInputTopic());
    SchemaRegistryClient.RegisteredSchema latest = registry.latest(subject);
    PayloadSchema schema =
        PayloadSchema.of(latest.schema(), subject + " v" + latest.version() + " (id " + latest.id() + ")");
    LOG.info("Validating payloads against {} from {}", schema.origin(), registry.url());
    return process.withSchema(schema);
  }

  static void build(Pipeline pipeline, StreamPipelineOptions options) {
    options.setStreaming(true);
    // One Kafka read on every runner: KafkaIO's UnboundedSource, which starts from the group's
    // committed offsets (StoreOutcomes commits them) and reads on from its own checkpoints.
    ExperimentalOptions.addExperiment(
        options.as(ExperimentalOptions.class), "use_deprecated_read");

    pipeline
        .apply(
            "ReadRawUsers",
            ReadRawUsers.from(
                options.getKafkaBootstrapServers(),
                options.getInputTopic(),
                options.getConsumerGroup()))
        .apply("ProcessUsers", processUsers(options).toOutcomes())
        .apply(
            "StoreOutcomes",
            StoreOutcomes.to(
                    CassandraOptions.endpoint(options),
                    options.getCassandraTable(),
                    options.getKafkaBootstrapServers(),
                    options.getDeadLetterTopic(),
                    options.getConsumerGroup())
                .withMaxInFlight(options.getCassandraMaxInFlight())
                .withSendGroup(options.getCassandraSendGroup())
                .withRetrySeconds(options.getStoreRetrySeconds()));
  }
}
