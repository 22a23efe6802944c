package dev.userstream.emulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Writes pages of users in the API's JSON, deterministically: user {@code i} of a page depends
 * only on the seed, the page and {@code i}, and ages are computed against a fixed date, so the same
 * request gives byte-identical output on any day.
 */
final class UserGenerator {
  static final JsonFactory JSON_FACTORY = new JsonFactory();
  /** "Now" for ages and registration dates; fixed so that output never changes with the clock. */
  static final LocalDateTime REFERENCE = LocalDateTime.of(2026, 1, 1, 0, 0);
  static final List<String> FIELDS =
      List.of("gender", "name", "location", "email", "login", "registered", "dob", "phone", "cell", "id", "picture", "nat");

  private static final String[] WORDS = {"yellow", "silver", "brown", "tiny", "happy", "lazy", "heavy", "crazy"};
  private static final String[] ANIMALS = {"peacock", "rabbit", "tiger", "swan", "koala", "frog", "bird", "goose"};
  private static final String[] PASSWORDS = {"addison", "sunshine", "dragon", "letmein", "monkey", "shadow", "qwerty", "master"};
  private static final String[][] TIMEZONES = {
    {"-10:00", "Hawaii"}, {"-5:00", "Eastern Time (US & Canada), Bogota, Lima"}, {"-3:00", "Brazil, Buenos Aires, Georgetown"},
    {"0:00", "Western Europe Time, London, Lisbon, Casablanca"}, {"+1:00", "Brussels, Copenhagen, Madrid, Paris"},
    {"+3:30", "Tehran"}, {"+5:30", "Bombay, Calcutta, Madras, New Delhi"}, {"+5:45", "Kathmandu"},
    {"+9:30", "Adelaide, Darwin"}, {"+12:00", "Auckland, Wellington, Fiji, Kamchatka"}
  };

  private UserGenerator() {}

  /** One page as the API sends it. */
  static byte[] page(Query q) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(q.results * 1200 + 200);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("results");
      for (int i = 0; i < q.results; i++) {
        user(g, q, i);
      }
      g.writeEndArray();
      if (!q.noinfo) {
        g.writeObjectFieldStart("info");
        g.writeStringField("seed", q.seed);
        g.writeNumberField("results", q.results);
        g.writeNumberField("page", q.page);
        g.writeStringField("version", "1.4");
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  /** User {@code index} of the query's page, as one JSON object, and its login.uuid. */
  static String user(JsonGenerator g, Query q, long index) throws IOException {
    SplittableRandom r = new SplittableRandom(mix(q.seed, q.page, index));
    String uuid = null;
    Nationality nat = q.nationalities.get(r.nextInt(q.nationalities.size()));
    boolean female = q.gender != null ? q.gender.equals("female") : r.nextBoolean();
    String first = pick(female ? nat.femaleFirst : nat.maleFirst, r);
    String last = pick(nat.last, r);
    Set<String> fields = q.fields;

    g.writeStartObject();
    if (fields.contains("gender")) {
      g.writeStringField("gender", female ? "female" : "male");
    }
    if (fields.contains("name")) {
      g.writeObjectFieldStart("name");
      g.writeStringField("title", female ? (r.nextBoolean() ? "Ms" : "Miss") : "Mr");
      g.writeStringField("first", first);
      g.writeStringField("last", last);
      g.writeEndObject();
    }
    if (fields.contains("location")) {
      g.writeObjectFieldStart("location");
      g.writeObjectFieldStart("street");
      g.writeNumberField("number", 1 + r.nextInt(9999));
      g.writeStringField("name", pick(nat.streets, r));
      g.writeEndObject();
      g.writeStringField("city", pick(nat.cities, r));
      g.writeStringField("state", pick(nat.states, r));
      g.writeStringField("country", nat.country);
      String postcode = Nationality.fill(nat.postcodePattern, r);
      if (nat.numericPostcode) {
        g.writeNumberField("postcode", Long.parseLong(postcode));
      } else {
        g.writeStringField("postcode", postcode);
      }
      g.writeObjectFieldStart("coordinates");
      g.writeStringField("latitude", String.format(java.util.Locale.ROOT, "%.4f", r.nextDouble() * 180 - 90));
      g.writeStringField("longitude", String.format(java.util.Locale.ROOT, "%.4f", r.nextDouble() * 360 - 180));
      g.writeEndObject();
      String[] tz = TIMEZONES[r.nextInt(TIMEZONES.length)];
      g.writeObjectFieldStart("timezone");
      g.writeStringField("offset", tz[0]);
      g.writeStringField("description", tz[1]);
      g.writeEndObject();
      g.writeEndObject();
    }
    if (fields.contains("email")) {
      g.writeStringField("email", ascii(first) + "." + ascii(last) + "@example.com");
    }
    if (fields.contains("login")) {
      String password = PASSWORDS[r.nextInt(PASSWORDS.length)];
      String salt = Nationality.fill("LLLLLLLL", r).toLowerCase(java.util.Locale.ROOT);
      g.writeObjectFieldStart("login");
      uuid = new UUID(r.nextLong() & 0xffffffffffff0fffL | 0x4000L, r.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L).toString();
      g.writeStringField("uuid", uuid);
      g.writeStringField("username", WORDS[r.nextInt(WORDS.length)] + ANIMALS[r.nextInt(ANIMALS.length)] + (100 + r.nextInt(900)));
      g.writeStringField("password", password);
      g.writeStringField("salt", salt);
      g.writeStringField("md5", digest("MD5", password + salt));
      g.writeStringField("sha1", digest("SHA-1", password + salt));
      g.writeStringField("sha256", digest("SHA-256", password + salt));
      g.writeEndObject();
    }
    LocalDateTime dob = REFERENCE.minusDays(365L * 18 + r.nextInt(365 * 60)).minusSeconds(r.nextInt(86_400)).minusNanos(r.nextInt(1000) * 1_000_000L);
    LocalDateTime registered = REFERENCE.minusDays(r.nextInt(365 * 20)).minusSeconds(r.nextInt(86_400)).minusNanos(r.nextInt(1000) * 1_000_000L);
    if (fields.contains("dob")) {
      dated(g, "dob", dob);
    }
    if (fields.contains("registered")) {
      dated(g, "registered", registered);
    }
    if (fields.contains("phone")) {
      g.writeStringField("phone", Nationality.fill(nat.phonePattern, r));
    }
    if (fields.contains("cell")) {
      g.writeStringField("cell", Nationality.fill(nat.phonePattern, r));
    }
    if (fields.contains("id")) {
      g.writeObjectFieldStart("id");
      g.writeStringField("name", nat.idName);
      if (nat.idPattern == null) {
        g.writeNullField("value");
      } else {
        g.writeStringField("value", Nationality.fill(nat.idPattern, r));
      }
      g.writeEndObject();
    }
    if (fields.contains("picture")) {
      String folder = female ? "women" : "men";
      int n = r.nextInt(100);
      g.writeObjectFieldStart("picture");
      g.writeStringField("large", "https://randomuser.me/api/portraits/" + folder + "/" + n + ".jpg");
      g.writeStringField("medium", "https://randomuser.me/api/portraits/med/" + folder + "/" + n + ".jpg");
      g.writeStringField("thumbnail", "https://randomuser.me/api/portraits/thumb/" + folder + "/" + n + ".jpg");
      g.writeEndObject();
    }
    if (fields.contains("nat")) {
      g.writeStringField("nat", nat.name());
    }
    g.writeEndObject();
    return uuid;
  }

  private static void dated(JsonGenerator g, String field, LocalDateTime when) throws IOException {
    Instant at = when.toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    String text = at.toString();
    if (at.getNano() == 0) {
      text = text.replace("Z", ".000Z");
    }
    g.writeObjectFieldStart(field);
    g.writeStringField("date", text);
    g.writeNumberField("age", (int) ChronoUnit.YEARS.between(when, REFERENCE));
    g.writeEndObject();
  }

  private static String pick(String[] values, SplittableRandom r) {
    return values[r.nextInt(values.length)];
  }

  /** Addresses stay ASCII, as the API's are: letters outside a-z are dropped. */
  private static String ascii(String name) {
    String lower = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD)
        .toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]", "");
    return lower.isEmpty() ? "user" : lower;
  }

  private static String digest(String algorithm, String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A 64-bit seed from the request's seed, page and the user's index. */
  static long mix(String seed, int page, long index) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (seed + '\u0000' + page + '\u0000' + index).getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }
}
