package dev.userstream.bench;

import dev.userstream.emulator.SampleUsers;
import dev.userstream.options.CommandLine;
import dev.userstream.options.KafkaOptions;
import dev.userstream.options.SchemaRegistryOptions;
import dev.userstream.schema.SchemaRegistryClient;
import dev.userstream.schema.UserSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills a topic with sample users keyed by login.uuid, plus optionally one of each kind of poison
 * payload: {@code ProduceSampleUsers --kafkaBootstrapServers=127.0.0.1:19092 --outputTopic=users.raw
 * --count=1000 --seed=demo --poison=true} ({@code --help} lists the options). The same seed produces the same users, so running it twice adds no
 * new profile downstream. For a steady stream (the soak): {@code --ratePerSecond=1000} paces the
 * users, and {@code --poisonEvery=1000} mixes in one small poison payload after every 1000th user
 * (the payloads in turn); it ends with a line counting both.
 */
public final class ProduceSampleUsers {
  private static final Logger LOG = LoggerFactory.getLogger(ProduceSampleUsers.class);

  private ProduceSampleUsers() {}

  /** ProduceSampleUsers' options. */
  public interface Options extends KafkaOptions, SchemaRegistryOptions {
    @Description("Topic the users go to, keyed by login.uuid (the streaming job's --inputTopic); the users schema"
        + " is registered for <outputTopic>-value first, as a Confluent serializer would")
    @Default.String("users.raw")
    String getOutputTopic();

    void setOutputTopic(String value);

    @Description("How many users")
    @Default.Long(1000)
    long getCount();

    void setCount(long value);

    @Description("The same seed gives the same users")
    @Default.String("demo")
    String getSeed();

    void setSeed(String value);

    @Description("Also send one of each kind of poison payload, after the users")
    @Default.Boolean(false)
    boolean getPoison();

    void setPoison(boolean value);

    @Description("Pace the users to this many a second; 0: as fast as possible")
    @Default.Long(0)
    long getRatePerSecond();

    void setRatePerSecond(long value);

    @Description("Mix in one small poison payload after every N-th user (the payloads in turn); 0: none")
    @Default.Long(0)
    long getPoisonEvery();

    void setPoisonEvery(long value);
  }

  public static void main(String[] args) throws InterruptedException {
    Options options = CommandLine.parse(args, Options.class);
    String topic = options.getOutputTopic();
    String registry = options.getSchemaRegistryUrl();
    if (!registry.isBlank()) {
      // As a Confluent serializer would: the streaming job validates against the registered schema.
      SchemaRegistryClient.RegisteredSchema schema =
          new SchemaRegistryClient(registry).register(UserSchema.subjectOf(topic), UserSchema.text());
      LOG.info("Users schema: {} v{} (id {}) at {}", schema.subject(), schema.version(), schema.id(), registry);
    }
    long count = options.getCount();
    String seed = options.getSeed();
    boolean poison = options.getPoison();
    long ratePerSecond = options.getRatePerSecond();
    long poisonEvery = options.getPoisonEvery();
    // Small ones only: a steady stream of the 3 MiB blob would measure nothing but its size.
    List<byte[]> mixedPoison = SampleUsers.poisonPayloads().stream().filter(b -> b.length <= 64 * 1024).toList();
    long mixedPoisonSent = 0;

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.getKafkaBootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      long started = System.nanoTime();
      for (long i = 0; i < count; i++) {
        if (ratePerSecond > 0) {
          long due = started + i * 1_000_000_000L / ratePerSecond;
          long early = due - System.nanoTime();
          if (early > 0) {
            TimeUnit.NANOSECONDS.sleep(early);
          }
        }
        SampleUsers.SampleUser user = SampleUsers.user(seed, i);
        producer.send(new ProducerRecord<>(topic, user.uuid().getBytes(StandardCharsets.UTF_8), user.json()));
        if (poisonEvery > 0 && (i + 1) % poisonEvery == 0) {
          byte[] poisonKey = ("poison-" + seed + "-mixed-" + mixedPoisonSent).getBytes(StandardCharsets.UTF_8);
          producer.send(new ProducerRecord<>(topic, poisonKey, mixedPoison.get((int) (mixedPoisonSent % mixedPoison.size()))));
          mixedPoisonSent++;
        }
        if ((i + 1) % 50_000 == 0) {
          LOG.info("Produced {} of {} users", i + 1, count);
        }
      }
      if (poison) {
        List<byte[]> bad = SampleUsers.poisonPayloads();
        for (int i = 0; i < bad.size(); i++) {
          byte[] key = ("poison-" + seed + "-" + i).getBytes(StandardCharsets.UTF_8);
          producer.send(new ProducerRecord<>(topic, key, bad.get(i)));
        }
      }
      producer.flush();
      double seconds = (System.nanoTime() - started) / 1e9;
      long poisonSent = mixedPoisonSent + (poison ? SampleUsers.poisonPayloads().size() : 0);
      LOG.info("Produced {} users{} to {} in {} s", count,
          poisonSent > 0 ? " and " + poisonSent + " poison payloads" : "", topic, String.format("%.1f", seconds));
    }
  }
}
