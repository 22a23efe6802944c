/**
 * The ingestion pipeline: randomuser.me pages fetched with bounded retries, staged as raw JSON in
 * PostgreSQL (idempotent by {@code login.uuid}), then published to Kafka and marked published.
 */
package dev.userstream.ingest;
