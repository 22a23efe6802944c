/**
 * The JSON Schema of {@code users.raw} values: the bundled copy of {@code
 * infra/schemas/users.raw-value.json}, a client for the Confluent Schema Registry REST API (ours in
 * {@code infra/registry}, or Confluent, Apicurio, Karapace by URL), and payload validation.
 */
package dev.userstream.schema;
