package dev.userstream.schema;

/** The schema registry refused a request or could not be reached; the message says which and why. */
public final class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SchemaRegistryException(String message) {
    super(message);
  }
}
