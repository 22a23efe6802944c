package dev.userstream.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the schema registry is. */
public interface SchemaRegistryOptions extends PipelineOptions {
  @Description("Confluent-compatible schema registry (ours, Confluent, Apicurio, Karapace). The ingestion registers"
      + " the users schema (infra/schemas/users.raw-value.json) for <outputTopic>-value before it publishes; the"
      + " streaming job validates payloads against the latest schema of <inputTopic>-value and dead-letters"
      + " violations. Empty: neither")
  @Default.String("http://127.0.0.1:18085")
  String getSchemaRegistryUrl();

  void setSchemaRegistryUrl(String value);
}
