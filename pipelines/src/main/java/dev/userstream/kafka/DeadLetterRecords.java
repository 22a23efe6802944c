package dev.userstream.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.userstream.model.DeadLetter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Dead letters as records of the dead-letter topic: the original key, the payload (with the API's
 * secrets redacted, see {@link dev.userstream.model.SecretFields}), and stage, error class, error
 * message, source and time as {@link DeadLetterHeaders}. Sent by an idempotent producer with
 * {@code acks=all} ({@link #producerConfig}).
 */
public final class DeadLetterRecords {
  /**
   * Large enough for the largest record the input topic accepts (the stack creates both topics
   * with max.message.bytes of 16 MiB) plus the headers.
   */
  static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024 + 64 * 1024;

  private DeadLetterRecords() {}

  /** The producer settings for the dead-letter topic. */
  public static Map<String, Object> producerConfig(String bootstrapServers) {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES,
        ProducerConfig.LINGER_MS_CONFIG, 5);
  }

  /** The dead letter as a record of {@code topic}. */
  public static ProducerRecord<byte[], byte[]> toProducerRecord(String topic, DeadLetter l) {
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
}
