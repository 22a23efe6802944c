package dev.userstream.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where Kafka is. */
public interface KafkaOptions extends PipelineOptions {
  @Description("Kafka bootstrap servers, host:port[,host:port]")
  @Default.String("127.0.0.1:19092")
  String getKafkaBootstrapServers();

  void setKafkaBootstrapServers(String value);
}
