package dev.userstream.shared;

/**
 * What a failed run tells its user: the runners wrap the real cause (a refused option, a server
 * away, a bundle's error) in their own exceptions, twice on Spark, so the message is dug out.
 */
public final class FailureMessages {
  private FailureMessages() {}

  /**
   * A refused option as it was worded; else the innermost cause's message, with its class for
   * exceptions not of this project ("UnknownHostException: kafka"), whose messages alone can be
   * cryptic. Ours say what failed in full.
   */
  public static String innermost(Throwable e) {
    if (e instanceof IllegalArgumentException && e.getMessage() != null) {
      return e.getMessage();
    }
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t.getMessage() == null) {
      return t.toString();
    }
    return t.getClass().getName().startsWith("dev.userstream.") ? t.getMessage()
        : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
