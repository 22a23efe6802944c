/**
 * The settings of each outside system, one {@code PipelineOptions} mixin per system (Kafka,
 * Cassandra, PostgreSQL, the schema registry), shared by both pipelines and by the tools: one name
 * and one default per setting everywhere. Defaults reach the local stack ({@code infra/stack.py}).
 */
package dev.userstream.options;
