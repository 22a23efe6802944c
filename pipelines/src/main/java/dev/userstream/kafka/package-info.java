/** Kafka sources and sinks of the pipelines. */
package dev.userstream.kafka;
