package dev.userstream.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertThrows;

import dev.userstream.ingest.PublishUnpublished.KafkaTarget;
import dev.userstream.ingest.PublishUnpublished.SendFn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link PublishUnpublished}'s sending step on the DirectRunner with Kafka's MockProducer: every
 * row goes to the topic keyed by its uuid, and a chunk of keys (which the next step marks
 * published) leaves only after Kafka acknowledged every send in it; a failed send lets no key of
 * its bundle through.
 */
@RunWith(JUnit4.class)
public class PublishUnpublishedTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create().enableAbandonedNodeEnforcement(false);

  private static final KafkaTarget TARGET = new KafkaTarget("127.0.0.1:1", "users.raw", Duration.ofSeconds(120));

  /** The DoFns run deserialised copies: the producers and what they saw live here. */
  private static final List<AcknowledgingProducer> OPENED = new CopyOnWriteArrayList<>();
  private static final Set<String> ACKNOWLEDGED = ConcurrentHashMap.newKeySet();
  private static final List<List<String>> EMITTED = new CopyOnWriteArrayList<>();
  private static volatile RuntimeException failSendsWith;

  /** Completes sends only when flushed (as Kafka acknowledges them), or fails them all. */
  private static final class AcknowledgingProducer extends MockProducer<byte[], byte[]> {
    AcknowledgingProducer() {
      super(false, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public synchronized void flush() {
      if (failSendsWith != null) {
        while (errorNext(failSendsWith)) {
          // every pending send fails
        }
        return;
      }
      super.flush();
      for (ProducerRecord<byte[], byte[]> r : history()) {
        ACKNOWLEDGED.add(new String(r.key(), UTF_8));
      }
    }
  }

  private static final PublishUnpublished.ProducerFactory PRODUCERS = config -> {
    AcknowledgingProducer p = new AcknowledgingProducer();
    OPENED.add(p);
    return p;
  };

  /** Keeps every chunk, and fails the pipeline if one holds a key Kafka had not acknowledged. */
  private static final class KeepChunks extends DoFn<List<String>, Void> {
    @ProcessElement
    public void process(@Element List<String> keys) {
      for (String key : keys) {
        if (!ACKNOWLEDGED.contains(key)) {
          throw new AssertionError("key " + key + " handed on to be marked published before Kafka acknowledged it");
        }
      }
      EMITTED.add(keys);
    }
  }

  @Before
  public void reset() {
    OPENED.clear();
    ACKNOWLEDGED.clear();
    EMITTED.clear();
    failSendsWith = null;
  }

  @Test
  public void everyRowIsSentKeyedByItsUuidAndHandedOnOnlyOnceAcknowledged() {
    List<KV<String, byte[]>> rows = rows(SendFn.CHUNK * 2 + 500);

    send(rows);
    pipeline.run().waitUntilFinish();

    List<String> handedOn = new ArrayList<>();
    EMITTED.forEach(handedOn::addAll);
    assertThat(handedOn, containsInAnyOrder(rows.stream().map(KV::getKey).toArray()));
    assertThat(EMITTED.stream().map(List::size).toList(), everyItem(lessThanOrEqualTo(SendFn.CHUNK)));
    Map<String, String> sent = new ConcurrentHashMap<>();
    for (AcknowledgingProducer p : OPENED) {
      for (ProducerRecord<byte[], byte[]> r : p.history()) {
        assertThat(r.topic(), equalTo("users.raw"));
        sent.put(new String(r.key(), UTF_8), new String(r.value(), UTF_8));
      }
    }
    assertThat(sent.size(), equalTo(rows.size()));
    for (KV<String, byte[]> row : rows) {
      assertThat(sent, hasEntry(row.getKey(), new String(row.getValue(), UTF_8)));
    }
  }

  @Test
  public void aSendKafkaDoesNotAcknowledgeFailsTheRunAndNoKeyIsHandedOn() {
    failSendsWith = new KafkaException("the broker is away");

    send(rows(50));
    PipelineExecutionException e = assertThrows(PipelineExecutionException.class, () -> pipeline.run().waitUntilFinish());

    assertThat(e.getCause(), org.hamcrest.Matchers.instanceOf(PublishException.class));
    assertThat(e.getMessage(), containsString("the next run publishes them"));
    assertThat(e.getMessage(), containsString("the broker is away"));
    assertThat(EMITTED, empty());
  }

  @Test
  public void theProducerIsIdempotentAndEveryWaitIsBoundedByTheTimeout() {
    Map<String, Object> config = TARGET.producerConfig();
    assertThat(config, hasEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    assertThat(config, hasEntry(ProducerConfig.ACKS_CONFIG, "all"));
    assertThat(config, hasEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000));
    assertThat(config, hasEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000));
    assertThat(config, hasEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000));
  }

  private void send(List<KV<String, byte[]>> rows) {
    pipeline
        .apply(Create.of(rows).withCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply("SendToKafka", ParDo.of(new SendFn(TARGET, PRODUCERS)))
        .apply("KeepChunks", ParDo.of(new KeepChunks()));
  }

  private static List<KV<String, byte[]>> rows(int count) {
    List<KV<String, byte[]>> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String uuid = new UUID(7, i).toString();
      rows.add(KV.of(uuid, ("{\"login\":{\"uuid\":\"" + uuid + "\"}}").getBytes(UTF_8)));
    }
    return rows;
  }
}
