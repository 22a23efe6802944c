package dev.userstream.kafka;

import dev.userstream.shared.SharedClients;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;

/** The streaming job's Kafka clients, one of each per JVM and bootstrap servers (both are thread-safe). */
public final class SharedKafkaClients {
  static final long IDLE_CLOSE_MILLIS = 60_000;

  private static final SharedClients<String, KafkaProducer<byte[], byte[]>> DEAD_LETTER_PRODUCERS =
      new SharedClients<>(
          "dead-letter producer",
          bootstrap -> new KafkaProducer<>(DeadLetterRecords.producerConfig(bootstrap)),
          producer -> producer.close(Duration.ofSeconds(10)),
          IDLE_CLOSE_MILLIS);

  private static final SharedClients<String, Admin> ADMINS =
      new SharedClients<>(
          "Kafka admin client",
          bootstrap -> Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)),
          admin -> admin.close(Duration.ofSeconds(10)),
          IDLE_CLOSE_MILLIS);

  private SharedKafkaClients() {}

  public static SharedClients.Lease<KafkaProducer<byte[], byte[]>> deadLetterProducer(String bootstrapServers) {
    return DEAD_LETTER_PRODUCERS.lease(bootstrapServers);
  }

  public static SharedClients.Lease<Admin> admin(String bootstrapServers) {
    return ADMINS.lease(bootstrapServers);
  }
}
