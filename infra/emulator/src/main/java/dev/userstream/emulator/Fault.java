package dev.userstream.emulator;

/** A failure the emulator can be told to answer with, the way the real service fails. */
public enum Fault {
  /** HTTP 200 with {@code {"error": "Uh oh, something has gone wrong..."}}: check the body. */
  ERROR_BODY,
  /** HTTP 429 with a JSON error body and a Retry-After header. */
  RATE_LIMITED,
  /** HTTP 502 with an HTML page, as a proxy in front of the service sends. */
  BAD_GATEWAY_HTML,
  /** The right page, but only after a delay (the emulator's slowDelayMillis). */
  SLOW,
  /** The first half of the right page, then the connection closes. */
  TRUNCATED
}
