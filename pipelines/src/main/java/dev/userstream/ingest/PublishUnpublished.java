package dev.userstream.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every unpublished staged row, whichever run staged it, once {@code signal} is complete:
 * reads them with JdbcIO in {@code partitions} disjoint slices (by a hash of the key, so workers
 * share the work), sends each to Kafka keyed by {@code login.uuid} with the raw JSON as value
 * (idempotent producer, {@code acks=all}), and only after Kafka has acknowledged a chunk marks its
 * rows published. A failure in between leaves rows unpublished for the next run: Kafka may then
 * hold a user twice, which the streaming job's Cassandra upsert absorbs; nothing is lost.
 *
 * <p>The value is the staged jsonb as PostgreSQL prints it: the same JSON as the API's, with keys
 * in jsonb's order and without insignificant whitespace.
 */
public final class PublishUnpublished extends PTransform<PCollection<Void>, PCollection<Void>> {
  private static final long serialVersionUID = 1L;

  private final PostgresEndpoint postgres;
  private final KafkaTarget kafka;
  private final int partitions;

  /** Where and how to publish: bootstrap servers, topic, how long a send may take before failing. */
  record KafkaTarget(String bootstrapServers, String topic, Duration timeout) implements java.io.Serializable {
    /** The producer's settings: idempotent, {@code acks=all}, every wait bounded by the timeout. */
    Map<String, Object> producerConfig() {
      int timeoutMs = (int) timeout.toMillis();
      return Map.ofEntries(
          Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
          Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()),
          Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()),
          Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
          Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
          Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
          Map.entry(ProducerConfig.LINGER_MS_CONFIG, 20),
          Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
          Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "userstream-ingest"),
          // Bounded, so Kafka being down fails the run in this time instead of hanging it.
          Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs),
          Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, timeoutMs / 2)),
          Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs));
    }
  }

  /** Opens the producer from its settings: a KafkaProducer, or in unit tests Kafka's MockProducer. */
  interface ProducerFactory extends SerializableFunction<Map<String, Object>, Producer<byte[], byte[]>> {}

  static final ProducerFactory KAFKA_PRODUCER = KafkaProducer::new;

  private PublishUnpublished(PostgresEndpoint postgres, KafkaTarget kafka, int partitions) {
    this.postgres = postgres;
    this.kafka = kafka;
    this.partitions = partitions;
  }

  static PublishUnpublished to(PostgresEndpoint postgres, KafkaTarget kafka, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("publishPartitions must be >= 1, was " + partitions);
    }
    return new PublishUnpublished(postgres, kafka, partitions);
  }

  @Override
  public PCollection<Void> expand(PCollection<Void> signal) {
    List<Integer> slices = IntStream.range(0, partitions).boxed().collect(Collectors.toList());
    return signal
        .getPipeline()
        .apply("Slices", Create.of(slices))
        .apply("AfterStaging", Wait.on(signal))
        .apply(
            "ReadUnpublished",
            JdbcIO.<Integer, KV<String, byte[]>>readAll()
                .withDataSourceProviderFn(postgres.dataSource())
                .withQuery(
                    // getBytes on a text column hands over the server's UTF-8 as is (no decoding).
                    "SELECT user_uuid::text, payload::text FROM " + postgres.table()
                        + " WHERE published_at IS NULL AND (hashtext(user_uuid::text) & 2147483647) % ? = ?")
                .withParameterSetter(
                    (slice, ps) -> {
                      ps.setInt(1, partitions);
                      ps.setInt(2, slice);
                    })
                .withRowMapper(rs -> KV.of(rs.getString(1), rs.getBytes(2)))
                .withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
                .withFetchSize(2000)
                .withOutputParallelization(false))
        .apply("SendToKafka", ParDo.of(new SendFn(kafka, KAFKA_PRODUCER)))
        .setCoder(ListCoder.of(StringUtf8Coder.of()))
        .apply(
            "MarkPublished",
            JdbcIO.<List<String>>write()
                .withDataSourceProviderFn(postgres.dataSource())
                // By primary key only: a "published_at IS NULL" condition lets the planner pick the
                // partial index of unpublished rows and test each against the whole array (minutes
                // per statement once statistics lag behind a bulk insert; seen here).
                .withStatement(
                    "UPDATE " + postgres.table() + " SET published_at = now() WHERE user_uuid = ANY (?::uuid[])")
                .withBatchSize(16)
                .withPreparedStatementSetter(
                    (keys, ps) -> ps.setArray(1, ps.getConnection().createArrayOf("text", keys.toArray())))
                .withResults());
  }

  /**
   * Sends rows and emits their keys in chunks, each only after every send of the chunk was
   * acknowledged; a failed send fails the bundle before its chunk is emitted.
   */
  static final class SendFn extends DoFn<KV<String, byte[]>, List<String>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SendFn.class);
    static final int CHUNK = 2000;

    private final KafkaTarget kafka;
    private final ProducerFactory producers;
    private final Counter published = Metrics.counter(IngestMetrics.NAMESPACE, IngestMetrics.PUBLISHED);
    private transient Producer<byte[], byte[]> producer;
    private transient List<String> sent;
    private transient AtomicReference<Exception> failure;

    SendFn(KafkaTarget kafka, ProducerFactory producers) {
      this.kafka = kafka;
      this.producers = producers;
    }

    @Setup
    public void setup() {
      producer = producers.apply(kafka.producerConfig());
    }

    @StartBundle
    public void startBundle() {
      sent = new ArrayList<>();
      failure = new AtomicReference<>();
    }

    @ProcessElement
    public void process(@Element KV<String, byte[]> row, OutputReceiver<List<String>> out) throws PublishException {
      send(row);
      if (sent.size() >= CHUNK) {
        out.output(acknowledged());
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) throws PublishException {
      if (!sent.isEmpty()) {
        c.output(acknowledged(), Instant.now(), GlobalWindow.INSTANCE);
      }
    }

    private void send(KV<String, byte[]> row) throws PublishException {
      try {
        producer.send(
            new ProducerRecord<>(kafka.topic(), row.getKey().getBytes(UTF_8), row.getValue()),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      } catch (RuntimeException e) {
        throw failed(e);
      }
      // A send that cannot even start (no metadata within max.block.ms) fails through its callback,
      // at once; stop here rather than wait that long again for every remaining row.
      if (failure.get() != null) {
        throw failed(failure.get());
      }
      sent.add(row.getKey());
    }

    /** Waits for every send so far, then hands their keys over to be marked published. */
    private List<String> acknowledged() throws PublishException {
      try {
        producer.flush();
      } catch (RuntimeException e) {
        throw failed(e);
      }
      if (failure.get() != null) {
        throw failed(failure.get());
      }
      List<String> keys = sent;
      sent = new ArrayList<>();
      published.inc(keys.size());
      return keys;
    }

    private PublishException failed(Exception e) {
      LOG.error("Publishing to {} at {} failed; the rows stay unpublished for the next run",
          kafka.topic(), kafka.bootstrapServers(), e);
      return new PublishException(
          "publishing staged users to Kafka topic " + kafka.topic() + " at " + kafka.bootstrapServers()
              + " failed (they stay unpublished and the next run publishes them): " + e, e);
    }

    @Teardown
    public void teardown() {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }
}
