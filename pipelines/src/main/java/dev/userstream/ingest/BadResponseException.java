package dev.userstream.ingest;

/**
 * An answer that is not a usable page. Retryable ones (error bodies, HTML, truncated JSON) may
 * succeed on another attempt; the others (a complete page whose users lack a usable
 * {@code login.uuid}) would fail the same way again.
 */
final class BadResponseException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  BadResponseException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  boolean retryable() {
    return retryable;
  }
}
