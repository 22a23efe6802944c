package dev.userstream.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record the pipeline could not turn into a profile: the original key and payload (with the
 * API's secrets redacted, {@link SecretFields}), the stage
 * that rejected it, the error class and message, where it came from and when it failed. Written to
 * the dead-letter topic with key and value untouched and the rest as headers (see
 * {@code DeadLetterRecords}).
 */
public final class DeadLetter {
  public final byte[] key;
  public final byte[] payload;
  public final String source;
  public final String stage;
  public final String errorClass;
  public final String errorMessage;
  public final long failedAtMillis;

  public DeadLetter(
      byte[] key,
      byte[] payload,
      String source,
      String stage,
      String errorClass,
      String errorMessage,
      long failedAtMillis) {
    this.key = key;
    this.payload = payload;
    this.source = Objects.requireNonNull(source, "source");
    this.stage = Objects.requireNonNull(stage, "stage");
    this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
    this.errorMessage = Objects.requireNonNull(errorMessage, "errorMessage");
    this.failedAtMillis = failedAtMillis;
  }

  /**
   * The dead letter of {@code record}, rejected at {@code stage} by {@code error}; secrets are
   * redacted from its payload and message, as nothing past staging may keep them.
   */
  public static DeadLetter of(SourceRecord record, String stage, Throwable error, long nowMillis) {
    String message = error.getMessage() == null ? error.toString() : error.getMessage();
    return new DeadLetter(
        record.key,
        SecretFields.redact(record.payload),
        record.coordinates(),
        stage,
        error.getClass().getName(),
        SecretFields.redactText(message),
        nowMillis);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeadLetter)) {
      return false;
    }
    DeadLetter d = (DeadLetter) o;
    return Arrays.equals(key, d.key)
        && Arrays.equals(payload, d.payload)
        && source.equals(d.source)
        && stage.equals(d.stage)
        && errorClass.equals(d.errorClass)
        && errorMessage.equals(d.errorMessage)
        && failedAtMillis == d.failedAtMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, stage, errorMessage);
  }

  @Override
  public String toString() {
    return "DeadLetter{" + source + ", stage=" + stage + ", " + errorClass + ": " + errorMessage + "}";
  }
}
