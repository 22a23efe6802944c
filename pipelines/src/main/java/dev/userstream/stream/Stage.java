package dev.userstream.stream;

/** The stage names a dead letter can carry in its {@code stage} field. */
public final class Stage {
  /** The payload is empty, too large, not UTF-8, not JSON or not shaped like a user. */
  public static final String PARSE = "parse";
  /** The payload is JSON but breaks the registered JSON Schema of the input topic's values. */
  public static final String SCHEMA = "schema";
  /** The user broke a rule: no or bad login.uuid, bad email, bad date or coordinates. */
  public static final String VALIDATE = "validate";
  /** Building the typed profile failed. */
  public static final String TRANSFORM = "transform";

  private Stage() {}
}
