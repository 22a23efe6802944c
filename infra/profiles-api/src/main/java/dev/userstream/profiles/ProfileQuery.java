package dev.userstream.profiles;

import dev.userstream.cassandra.LastNameKey;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A listing request, {@code GET /profiles?...}: its filters (at least one; they combine with AND),
 * the page size and the cursor of the page after the previous one. Every parameter is checked
 * here, before anything is read: an unknown or repeated parameter, an empty or over-long value, a
 * control character, a limit out of range is a {@link BadRequest} naming it.
 */
record ProfileQuery(Map<Filter, String> filters, int limit, String cursor) {

  /** The filters, each served by a storage-attached index (infra/cassandra/schema.cql). */
  enum Filter {
    EMAIL("email", "email = ?", 254),
    USERNAME("username", "username = ?", 64),
    NAT("nat", "nat = ?", 2),
    COUNTRY("country", "country = ?", 64),
    LAST_NAME_PREFIX("lastNamePrefix", "last_name_key >= ? AND last_name_key <= ?", 64);

    final String parameter;
    final String restriction;
    final int maxLength;

    Filter(String parameter, String restriction, int maxLength) {
      this.parameter = parameter;
      this.restriction = restriction;
      this.maxLength = maxLength;
    }
  }

  static final String LIMIT = "limit";
  static final String CURSOR = "cursor";
  private static final Pattern NAT = Pattern.compile("[A-Za-z]{2}");
  /** C0 and C1 control characters, as openapi.json's patterns exclude them. */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f-\\x9f]");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
  /** A cursor is base64url of a paging state and a signature: generous, but bounded. */
  private static final int MAX_CURSOR_LENGTH = 4096;

  static List<String> parameters() {
    List<String> names = new java.util.ArrayList<>();
    for (Filter f : Filter.values()) {
      names.add(f.parameter);
    }
    names.add(LIMIT);
    names.add(CURSOR);
    return names;
  }

  /** Parses a raw query string (still percent-encoded; null when absent). */
  static ProfileQuery parse(String rawQuery, int defaultLimit, int maxLimit) throws BadRequest {
    Map<String, String> params = decode(rawQuery);
    Map<Filter, String> filters = new LinkedHashMap<>();
    for (Filter f : Filter.values()) {
      String value = params.remove(f.parameter);
      if (value != null) {
        filters.put(f, checked(f, value));
      }
    }
    String limitText = params.remove(LIMIT);
    String cursor = params.remove(CURSOR);
    if (!params.isEmpty()) {
      String unknown = params.keySet().iterator().next();
      throw new BadRequest("unknown parameter '" + (unknown.length() > 64 ? unknown.substring(0, 64) + "..." : unknown)
          + "'; known: "
          + String.join(", ", parameters()));
    }
    if (filters.isEmpty()) {
      throw new BadRequest("give at least one filter: email, username, nat, country or lastNamePrefix");
    }
    int limit = defaultLimit;
    if (limitText != null) {
      if (!DIGITS.matcher(limitText).matches() || Integer.parseInt(limitText) < 1 || Integer.parseInt(limitText) > maxLimit) {
        throw new BadRequest("limit: a whole number from 1 to " + maxLimit);
      }
      limit = Integer.parseInt(limitText);
    }
    if (cursor != null && (cursor.isEmpty() || cursor.length() > MAX_CURSOR_LENGTH)) {
      throw new BadRequest("cursor: not a cursor this API issued (use the 'next' of the previous page)");
    }
    return new ProfileQuery(filters, limit, cursor);
  }

  /** The query's filters as one canonical line, which a cursor is bound to. */
  String canonicalFilters() {
    StringBuilder out = new StringBuilder();
    filters.forEach((f, v) -> out.append(f.parameter).append('=').append(v).append('\n'));
    return out.toString();
  }

  /** The folded last-name prefix asked for, or null. */
  String lastNamePrefix() {
    return filters.get(Filter.LAST_NAME_PREFIX);
  }

  private static String checked(Filter f, String value) throws BadRequest {
    if (value.isEmpty()) {
      throw new BadRequest(f.parameter + ": empty");
    }
    if (value.codePointCount(0, value.length()) > f.maxLength) {
      throw new BadRequest(f.parameter + ": at most " + f.maxLength + " characters");
    }
    if (CONTROL.matcher(value).find()) {
      throw new BadRequest(f.parameter + ": control characters are not allowed");
    }
    switch (f) {
      case NAT:
        if (!NAT.matcher(value).matches()) {
          throw new BadRequest("nat: a two-letter nationality code such as GB");
        }
        return value.toUpperCase(java.util.Locale.ROOT);
      case LAST_NAME_PREFIX:
        String folded = LastNameKey.fold(value);
        if (folded.isEmpty()) {
          throw new BadRequest("lastNamePrefix: blank");
        }
        return folded;
      default:
        return value;
    }
  }

  private static Map<String, String> decode(String rawQuery) throws BadRequest {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        name = URLDecoder.decode(name, StandardCharsets.UTF_8);
        value = URLDecoder.decode(value, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new BadRequest("the query string is not valid percent-encoding");
      }
      if (out.put(name, value) != null) {
        throw new BadRequest("a parameter is given more than once");
      }
    }
    return out;
  }
}
