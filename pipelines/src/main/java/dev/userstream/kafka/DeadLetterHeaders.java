package dev.userstream.kafka;

/**
 * The Kafka headers of a dead-letter record. Key and value are the original record's, byte for
 * byte; these headers say what went wrong, where and when.
 */
public final class DeadLetterHeaders {
  /** The stage that rejected the record: parse, validate or transform. */
  public static final String STAGE = "userstream.stage";
  /** The error's class name. */
  public static final String ERROR_CLASS = "userstream.error.class";
  /** The error's message: the reason, for a person. */
  public static final String ERROR_MESSAGE = "userstream.error.message";
  /** Where the original came from: topic-partition@offset. */
  public static final String SOURCE = "userstream.source";
  /** When it failed, ISO-8601 UTC. */
  public static final String FAILED_AT = "userstream.failed_at";

  private DeadLetterHeaders() {}
}
