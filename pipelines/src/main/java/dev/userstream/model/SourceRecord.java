package dev.userstream.model;

import java.util.Arrays;

/**
 * A record exactly as it was read from Kafka: key and value bytes untouched (they may be empty,
 * huge or not UTF-8), plus where it came from. Dead letters carry it so nothing of the original is
 * lost.
 */
public final class SourceRecord {
  public final byte[] key;
  public final byte[] payload;
  public final String topic;
  public final int partition;
  public final long offset;
  public final long timestampMillis;

  public SourceRecord(
      byte[] key, byte[] payload, String topic, int partition, long offset, long timestampMillis) {
    this.key = key;
    this.payload = payload;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestampMillis = timestampMillis;
  }

  /** "topic-partition@offset", the record's coordinates for logs and dead letters. */
  public String coordinates() {
    return topic + "-" + partition + "@" + offset;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SourceRecord)) {
      return false;
    }
    SourceRecord r = (SourceRecord) o;
    return Arrays.equals(key, r.key)
        && Arrays.equals(payload, r.payload)
        && topic.equals(r.topic)
        && partition == r.partition
        && offset == r.offset
        && timestampMillis == r.timestampMillis;
  }

  @Override
  public int hashCode() {
    return 31 * coordinates().hashCode() + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "SourceRecord{" + coordinates() + ", " + (payload == null ? 0 : payload.length) + " bytes}";
  }
}
