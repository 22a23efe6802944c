package dev.userstream.ingest;

import java.io.IOException;

/** Kafka did not take the staged users; they stay unpublished for the next run. */
public final class PublishException extends IOException {
  private static final long serialVersionUID = 1L;

  PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
