package dev.userstream.profiles;

/** A request the API refuses with a 400 and this message, which names the parameter and the reason. */
final class BadRequest extends Exception {
  private static final long serialVersionUID = 1L;

  BadRequest(String message) {
    super(message);
  }
}
