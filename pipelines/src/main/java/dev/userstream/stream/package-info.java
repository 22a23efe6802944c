/** The streaming pipeline: Kafka -> parse -> validate -> transform -> Cassandra, with dead letters. */
package dev.userstream.stream;
