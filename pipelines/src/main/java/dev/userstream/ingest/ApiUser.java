package dev.userstream.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * One user of a page: its {@code login.uuid} and its JSON object exactly as the API sent it, as
 * UTF-8 bytes (kept as bytes all the way to PostgreSQL: re-encoding strings was the largest CPU
 * cost of ingestion).
 */
record ApiUser(String uuid, byte[] json) {
  String text() {
    return new String(json, UTF_8);
  }
}
