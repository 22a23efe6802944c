package dev.userstream.stream;

import static dev.userstream.stream.RecordRejectedException.quote;

import dev.userstream.model.RawUser;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The rules a parsed user must meet to become a profile. Missing blocks are fine (the API omits
 * them under {@code inc}/{@code exc}); present values must be well-formed. Also the one place that
 * converts the API's text into typed values, so validation and mapping cannot disagree.
 */
public final class UserValidator {
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  // Deliberately loose: one @, no spaces, a dot in the domain. Real addresses vary more than any
  // strict pattern admits; this catches garbage, not style.
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s.]+");

  private UserValidator() {}

  /** Checks every rule; the first broken one is the rejection reason. */
  public static void validate(RawUser user) throws RecordRejectedException {
    uuid(user);
    if (user.email != null && !EMAIL.matcher(user.email).matches()) {
      throw new RecordRejectedException("email is not an address: " + quote(user.email));
    }
    if (user.dob != null) {
      instant("dob.date", user.dob.date);
    }
    if (user.registered != null) {
      instant("registered.date", user.registered.date);
    }
    if (user.location != null && user.location.coordinates != null) {
      degrees("location.coordinates.latitude", user.location.coordinates.latitude, 90);
      degrees("location.coordinates.longitude", user.location.coordinates.longitude, 180);
    }
  }

  /** {@code login.uuid} as a UUID; it is required, being the row key. */
  public static UUID uuid(RawUser user) throws RecordRejectedException {
    String text = user.uuid();
    if (text == null || text.isBlank()) {
      throw new RecordRejectedException("missing login.uuid (the user's key)");
    }
    if (!UUID_TEXT.matcher(text).matches()) {
      throw new RecordRejectedException("login.uuid is not a UUID: " + quote(text));
    }
    return UUID.fromString(text);
  }

  /** An ISO-8601 timestamp with offset ("1992-03-08T15:13:16.688Z"); null stays null. */
  public static Instant instant(String field, String text) throws RecordRejectedException {
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new RecordRejectedException(field + " is not an ISO-8601 timestamp: " + quote(text));
    }
  }

  /** Decimal degrees within [-limit, limit]; null stays null. */
  public static Double degrees(String field, String text, double limit)
      throws RecordRejectedException {
    if (text == null) {
      return null;
    }
    double value;
    try {
      value = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new RecordRejectedException(field + " is not a number: " + quote(text));
    }
    if (!(value >= -limit && value <= limit)) {
      throw new RecordRejectedException(field + " is out of range [-" + limit + ", " + limit + "]: "
          + quote(text));
    }
    return value;
  }
}
