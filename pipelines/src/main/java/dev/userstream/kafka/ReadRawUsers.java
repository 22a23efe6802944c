package dev.userstream.kafka;

import dev.userstream.model.Coders.SourceRecordCoder;
import dev.userstream.model.SourceRecord;
import dev.userstream.stream.StreamMetrics;
import java.util.Map;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the raw-user topic as bytes (so payloads that are not UTF-8 survive to the dead-letter
 * topic) from the named consumer group's committed offsets; a new group starts at the earliest
 * offset. It commits nothing itself: {@code StoreOutcomes} commits once the records are stored.
 * (KafkaIO's own commit, {@code commitOffsetsInFinalize}, runs on the Spark runner as soon as a
 * micro-batch is read, so a job killed before the batch was written lost it.)
 *
 * <pre>{@code
 * PCollection<SourceRecord> records =
 *     p.apply("ReadRawUsers", ReadRawUsers.from("127.0.0.1:19092", "users.raw", "userstream-stream"));
 * }</pre>
 */
public final class ReadRawUsers extends PTransform<PBegin, PCollection<SourceRecord>> {
  private static final long serialVersionUID = 1L;

  private final String bootstrapServers;
  private final String topic;
  private final String consumerGroup;

  private ReadRawUsers(String bootstrapServers, String topic, String consumerGroup) {
    this.bootstrapServers = requireText("bootstrapServers", bootstrapServers);
    this.topic = requireText("topic", topic);
    this.consumerGroup = requireText("consumerGroup", consumerGroup);
  }

  public static ReadRawUsers from(String bootstrapServers, String topic, String consumerGroup) {
    return new ReadRawUsers(bootstrapServers, topic, consumerGroup);
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    return input
        .apply(
            "ReadFromKafka",
            KafkaIO.<byte[], byte[]>read()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withKeyDeserializer(ByteArrayDeserializer.class)
                .withValueDeserializer(ByteArrayDeserializer.class)
                .withConsumerConfigUpdates(
                    Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, consumerGroup,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)))
        .apply("ToSourceRecords", ParDo.of(new ToSourceRecordFn()))
        .setCoder(SourceRecordCoder.of());
  }

  static String requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must be set");
    }
    return value;
  }

  private static final class ToSourceRecordFn extends DoFn<KafkaRecord<byte[], byte[]>, SourceRecord> {
    private static final long serialVersionUID = 1L;
    private final Counter read = Metrics.counter(StreamMetrics.NAMESPACE, StreamMetrics.READ);

    @ProcessElement
    public void processElement(@Element KafkaRecord<byte[], byte[]> r, OutputReceiver<SourceRecord> out) {
      read.inc();
      out.output(
          new SourceRecord(
              r.getKV().getKey(),
              r.getKV().getValue(),
              r.getTopic(),
              r.getPartition(),
              r.getOffset(),
              r.getTimestamp()));
    }
  }
}
