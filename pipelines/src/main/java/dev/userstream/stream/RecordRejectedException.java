package dev.userstream.stream;

/**
 * A record that cannot become a profile, with a reason a person can act on. Stackless: it is
 * expected data, not a bug, and thousands of them must stay cheap.
 */
public final class RecordRejectedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String stage;

  public RecordRejectedException(String message) {
    this(null, message);
  }

  /** Rejected by {@code stage} (a {@link Stage} name) rather than by the step that threw it. */
  public RecordRejectedException(String stage, String message) {
    super(message, null, false, false);
    this.stage = stage;
  }

  /** The stage to name in the dead letter, or null for the step's own. */
  public String stage() {
    return stage;
  }

  /** A value quoted for an error message, cut to a readable length. */
  static String quote(String value) {
    if (value == null) {
      return "null";
    }
    return value.length() <= 80 ? "'" + value + "'" : "'" + value.substring(0, 80) + "...'";
  }
}
