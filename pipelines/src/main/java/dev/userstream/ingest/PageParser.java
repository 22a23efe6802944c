package dev.userstream.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Splits a randomuser.me response into its users in one streaming pass: each user's JSON object is
 * cut out of the body byte for byte (nothing is re-serialized), and only {@code login.uuid} is read.
 * The API does not trust its own status codes (docs/RANDOMUSER-API.md), so the body is checked:
 * {@code {"error": ...}}, anything that is not a JSON object with a {@code results} array, and
 * truncated JSON are retryable bad responses.
 */
final class PageParser {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern CANONICAL_UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private PageParser() {}

  static List<ApiUser> parse(byte[] body) throws BadResponseException {
    if (!startsWithObject(body)) {
      throw new BadResponseException("not a JSON object: " + excerpt(body), true);
    }
    List<ApiUser> users = null;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadResponseException("not a JSON object: " + excerpt(body), true);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("error")) {
          throw new BadResponseException("the API answered with an error: " + p.getValueAsString(excerpt(body)), true);
        } else if (field.equals("results") && value == JsonToken.START_ARRAY) {
          users = users(p, body);
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new BadResponseException("malformed JSON after the top-level object", true);
      }
    } catch (IOException e) {
      // Jackson's message names the position; a body cut short is the usual cause.
      throw new BadResponseException(
          "truncated or malformed JSON (" + body.length + " bytes): " + firstLine(e.getMessage()), true);
    }
    if (users == null) {
      throw new BadResponseException("no \"results\" array in the response: " + excerpt(body), true);
    }
    return users;
  }

  private static List<ApiUser> users(JsonParser p, byte[] body) throws IOException, BadResponseException {
    List<ApiUser> users = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        throw new BadResponseException("results[" + users.size() + "] is not an object", false);
      }
      int start = (int) p.currentTokenLocation().getByteOffset();
      String uuid = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        if (p.nextToken() == JsonToken.START_OBJECT && field.equals("login")) {
          uuid = uuid(p);
        } else {
          p.skipChildren();
        }
      }
      int end = (int) p.currentLocation().getByteOffset();
      users.add(new ApiUser(checkUuid(uuid, users.size()), java.util.Arrays.copyOfRange(body, start, end)));
    }
    return users;
  }

  /** Reads a login object, positioned on its START_OBJECT, and returns its uuid (or null). */
  private static String uuid(JsonParser p) throws IOException {
    String uuid = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("uuid") && value == JsonToken.VALUE_STRING) {
        uuid = p.getText();
      } else {
        p.skipChildren();
      }
    }
    return uuid;
  }

  private static String checkUuid(String uuid, int index) throws BadResponseException {
    if (uuid == null) {
      // The user's key: without it nothing can be staged idempotently (inc/exc can drop login).
      throw new BadResponseException("results[" + index + "] has no login.uuid", false);
    }
    if (!CANONICAL_UUID.matcher(uuid).matches()) {
      throw new BadResponseException("results[" + index + "] has login.uuid '" + uuid + "', not a UUID", false);
    }
    // PostgreSQL prints uuids in lower case: the Kafka key matches the staged row's key either way.
    return uuid.toLowerCase(Locale.ROOT);
  }

  private static boolean startsWithObject(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b == '{';
      }
    }
    return false;
  }

  static String excerpt(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 160), UTF_8).replaceAll("\\s+", " ").trim();
    return body.length > 160 ? text + "..." : text.isEmpty() ? "(empty body)" : text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
