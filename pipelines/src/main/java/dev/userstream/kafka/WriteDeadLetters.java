package dev.userstream.kafka;

import static dev.userstream.kafka.ReadRawUsers.requireText;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.userstream.model.DeadLetter;
import dev.userstream.stream.StreamMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.ProducerRecordCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes dead letters to the dead-letter topic: the original key and value unchanged (so a fixed
 * record can be replayed as is), and stage, error class, error message, source and time as
 * {@link DeadLetterHeaders}. Idempotent producer with {@code acks=all}; a failed send fails the
 * bundle, so Beam retries it rather than losing the letter.
 */
public final class WriteDeadLetters extends PTransform<PCollection<DeadLetter>, PDone> {
  private static final long serialVersionUID = 1L;

  /**
   * Large enough for the largest record the input topic accepts (the stack creates both topics
   * with max.message.bytes of 16 MiB) plus the headers.
   */
  static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024 + 64 * 1024;

  private final String bootstrapServers;
  private final String topic;

  private WriteDeadLetters(String bootstrapServers, String topic) {
    this.bootstrapServers = requireText("bootstrapServers", bootstrapServers);
    this.topic = requireText("topic", topic);
  }

  public static WriteDeadLetters to(String bootstrapServers, String topic) {
    return new WriteDeadLetters(bootstrapServers, topic);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> letters) {
    return letters
        .apply("ToProducerRecords", ParDo.of(new ToProducerRecordFn(topic)))
        .setCoder(
            ProducerRecordCoder.of(
                NullableCoder.of(ByteArrayCoder.of()), NullableCoder.of(ByteArrayCoder.of())))
        .apply(
            "WriteToKafka",
            KafkaIO.<byte[], byte[]>writeRecords()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withKeySerializer(ByteArraySerializer.class)
                .withValueSerializer(ByteArraySerializer.class)
                .withProducerConfigUpdates(
                    Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES)));
  }

  /** The dead letter as a Kafka record; exposed for tests of the header layout. */
  static ProducerRecord<byte[], byte[]> toProducerRecord(String topic, DeadLetter l) {
    List<Header> headers =
        List.of(
            header(DeadLetterHeaders.STAGE, l.stage),
            header(DeadLetterHeaders.ERROR_CLASS, l.errorClass),
            header(DeadLetterHeaders.ERROR_MESSAGE, l.errorMessage),
            header(DeadLetterHeaders.SOURCE, l.source),
            header(DeadLetterHeaders.FAILED_AT, Instant.ofEpochMilli(l.failedAtMillis).toString()));
    return new ProducerRecord<>(topic, null, null, l.key, l.payload, headers);
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(UTF_8));
  }

  private static final class ToProducerRecordFn
      extends DoFn<DeadLetter, ProducerRecord<byte[], byte[]>> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final Counter deadLettered =
        Metrics.counter(StreamMetrics.NAMESPACE, StreamMetrics.DEAD_LETTERED);

    ToProducerRecordFn(String topic) {
      this.topic = topic;
    }

    @ProcessElement
    public void processElement(
        @Element DeadLetter l, OutputReceiver<ProducerRecord<byte[], byte[]>> out) {
      deadLettered.inc();
      out.output(toProducerRecord(topic, l));
    }
  }
}
