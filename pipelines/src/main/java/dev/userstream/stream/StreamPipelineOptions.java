package dev.userstream.stream;

import dev.userstream.options.CassandraOptions;
import dev.userstream.options.KafkaOptions;
import dev.userstream.options.SchemaRegistryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/** Options of {@link StreamPipeline}; the defaults reach the local stack started by infra/stack. */
public interface StreamPipelineOptions
    extends KafkaOptions, CassandraOptions, SchemaRegistryOptions, StreamingOptions {
  @Description("Topic of raw randomuser.me user JSON, keyed by login.uuid")
  @Default.String("users.raw")
  String getInputTopic();

  void setInputTopic(String value);

  @Description("Topic that receives every record the pipeline rejects, with the reason in headers")
  @Default.String("users.dlq")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description("Kafka consumer group; its offsets are committed once the records before them are stored, and a"
      + " (re)started job resumes from them")
  @Default.String("userstream-stream")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description("Unacknowledged Cassandra writes allowed per writer instance")
  @Default.Integer(256)
  int getCassandraMaxInFlight();

  void setCassandraMaxInFlight(int value);

  @Description("Cassandra upserts held back until this many are ready (or the bundle ends), then sent back to back:"
      + " Cassandra's thread pools spin-park after each request that finds no next one, so one by one costs it more"
      + " CPU (docs/PERFORMANCE.md). Default 64 on the Spark runner, whose micro-batches hold records back anyway;"
      + " 8 on the Flink runner, where records flow one by one and a full group of 64 would add its wait to each"
      + " record's latency")
  @Default.InstanceFactory(SendGroupFactory.class)
  int getCassandraSendGroup();

  void setCassandraSendGroup(int value);

  @Description("How long a failing Cassandra write, dead-letter send or offset commit is retried (outages are waited"
      + " out) before the micro-batch fails, its offsets uncommitted, and the job stops")
  @Default.Long(300)
  long getStoreRetrySeconds();

  void setStoreRetrySeconds(long value);

  @Description("Payloads larger than this many bytes are dead-lettered without parsing")
  @Default.Integer(1024 * 1024)
  int getMaxPayloadBytes();

  void setMaxPayloadBytes(int value);

  /** The send group for the runner: see {@link #getCassandraSendGroup}. */
  class SendGroupFactory implements DefaultValueFactory<Integer> {
    /** What the Flink runner holds back: measured at 1,000 users/s, p99 229 ms with 8 (docs/PERFORMANCE.md). */
    static final int FLINK_SEND_GROUP = 8;

    @Override
    public Integer create(PipelineOptions options) {
      return options.getRunner().getSimpleName().startsWith("Flink") ? FLINK_SEND_GROUP : StoreOutcomes.DEFAULT_SEND_GROUP;
    }
  }
}
