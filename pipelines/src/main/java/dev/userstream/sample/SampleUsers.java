package dev.userstream.sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userstream.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Users in the randomuser.me 1.4 format (see docs/RANDOMUSER-API.md), the same for the same seed
 * and index, with the API's quirks: numeric or text postcodes by nationality, null {@code id.value},
 * string coordinates, "+9:30"-style offsets, non-ASCII names, and the secret login fields (which
 * the pipeline must drop).
 */
public final class SampleUsers {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Per nationality: a first name, a last name, a city, and whether the postcode is a number. */
  private static final List<String[]> PEOPLE =
      List.of(
          new String[] {"US", "Jennie", "Nichols", "Billings", "text"},
          new String[] {"GB", "Oliver", "Smith", "Leeds", "text"},
          new String[] {"CA", "Léa", "Roy", "Québec", "text"},
          new String[] {"DE", "Jürgen", "Müller", "Düsseldorf", "number"},
          new String[] {"DK", "Søren", "Jørgensen", "Århus", "number"},
          new String[] {"ES", "Begoña", "Muñoz", "Logroño", "number"},
          new String[] {"FI", "Eeli", "Mäkelä", "Jyväskylä", "number"},
          new String[] {"FR", "Anaïs", "Lefèvre", "Besançon", "number"},
          new String[] {"IR", "آرین", "کامروا", "تهران", "number"},
          new String[] {"IN", "आरव", "शर्मा", "पुणे", "number"},
          new String[] {"RS", "Милош", "Јовановић", "Ниш", "number"},
          new String[] {"UA", "Олена", "Шевченко", "Львів", "text"},
          new String[] {"TR", "Çağrı", "Öztürk", "İzmir", "number"},
          new String[] {"NO", "Åse", "Bråten", "Tromsø", "number"},
          new String[] {"NL", "Sanne", "de Vries", "Utrecht", "text"},
          new String[] {"BR", "João", "Araújo", "São Paulo", "number"},
          new String[] {"AU", "Mia", "Taylor", "Adelaide", "number"},
          new String[] {"NZ", "Aroha", "Walker", "Tauranga", "number"},
          new String[] {"CH", "Noé", "Meier", "Zürich", "number"},
          new String[] {"IE", "Aoife", "Byrne", "Galway", "text"},
          new String[] {"MX", "Ximena", "Hernández", "Mérida", "number"});
  private static final String[] OFFSETS = {"+9:30", "-3:00", "0:00", "+5:45", "-10:00", "+1:00"};

  private SampleUsers() {}

  /** The natural key of user {@code index} of {@code seed}. */
  public static String uuid(String seed, long index) {
    return UUID.nameUUIDFromBytes((seed + ":" + index).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** User {@code index} of {@code seed} as a JSON object. */
  public static ObjectNode user(String seed, long index) {
    SplittableRandom r = new SplittableRandom(seed.hashCode() * 1_000_003L + index);
    String[] person = PEOPLE.get((int) Math.floorMod(index, (long) PEOPLE.size()));
    boolean female = r.nextBoolean();
    ObjectNode u = NODES.objectNode();
    u.put("gender", female ? "female" : "male");
    ObjectNode name = u.putObject("name");
    name.put("title", female ? "Ms" : "Mr");
    name.put("first", person[1]);
    name.put("last", person[2]);

    ObjectNode location = u.putObject("location");
    ObjectNode street = location.putObject("street");
    street.put("number", 1 + r.nextInt(9999));
    street.put("name", person[3] + " Street");
    location.put("city", person[3]);
    location.put("state", "State " + person[0]);
    location.put("country", person[0]);
    if ("number".equals(person[4])) {
      location.put("postcode", 10000 + r.nextInt(89999));
    } else {
      location.put("postcode", "V" + r.nextInt(10) + "K " + r.nextInt(10) + "A" + r.nextInt(10));
    }
    ObjectNode coordinates = location.putObject("coordinates");
    coordinates.put("latitude", String.format(Locale.ROOT, "%.4f", r.nextDouble() * 180 - 90));
    coordinates.put("longitude", String.format(Locale.ROOT, "%.4f", r.nextDouble() * 360 - 180));
    ObjectNode timezone = location.putObject("timezone");
    timezone.put("offset", OFFSETS[r.nextInt(OFFSETS.length)]);
    timezone.put("description", "Somewhere");

    String username = person[1].toLowerCase(Locale.ROOT) + index;
    u.put("email", "user" + index + "." + seed.replaceAll("[^A-Za-z0-9]", "") + "@example.com");
    ObjectNode login = u.putObject("login");
    login.put("uuid", uuid(seed, index));
    login.put("username", username);
    login.put("password", "secret" + r.nextInt(1000));
    login.put("salt", "sld1yGtd");
    login.put("md5", "0123456789abcdef0123456789abcdef");
    login.put("sha1", "0123456789abcdef0123456789abcdef01234567");
    login.put("sha256", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

    int age = 18 + r.nextInt(60);
    ObjectNode dob = u.putObject("dob");
    dob.put("date", String.format(Locale.ROOT, "%d-03-08T15:13:16.688Z", 2026 - age));
    dob.put("age", age);
    ObjectNode registered = u.putObject("registered");
    registered.put("date", String.format(Locale.ROOT, "20%02d-07-09T05:51:59.390Z", 2 + r.nextInt(20)));
    registered.put("age", 1 + r.nextInt(20));
    u.put("phone", "(272) 790-" + (1000 + r.nextInt(8999)));
    u.put("cell", "(489) 330-" + (1000 + r.nextInt(8999)));
    ObjectNode id = u.putObject("id");
    if (index % 5 == 0) {
      id.put("name", "");
      id.putNull("value");
    } else {
      id.put("name", "SSN");
      id.put("value", "405-88-" + (1000 + r.nextInt(8999)));
    }
    ObjectNode picture = u.putObject("picture");
    String folder = female ? "women" : "men";
    int portrait = r.nextInt(100);
    picture.put("large", "https://randomuser.me/api/portraits/" + folder + "/" + portrait + ".jpg");
    picture.put("medium", "https://randomuser.me/api/portraits/med/" + folder + "/" + portrait + ".jpg");
    picture.put("thumbnail", "https://randomuser.me/api/portraits/thumb/" + folder + "/" + portrait + ".jpg");
    u.put("nat", person[0]);
    return u;
  }

  private static byte[] blob() {
    byte[] b = new byte[BLOB_BYTES];
    java.util.Arrays.fill(b, (byte) 'x');
    b[0] = '"';
    b[b.length - 1] = '"';
    return b;
  }

  /** User {@code index} of {@code seed} as UTF-8 JSON bytes, as the API would send it. */
  public static byte[] userJson(String seed, long index) {
    try {
      return Json.MAPPER.writeValueAsBytes(user(seed, index));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Size of the oversized poison payload: above the job's default 1 MiB limit, below Kafka's 16 MiB. */
  public static final int BLOB_BYTES = 3 * 1024 * 1024;

  /**
   * Payloads the pipeline must dead-letter, one per kind of bad input, each with a reason: not
   * JSON, the wrong shape, empty, invalid UTF-8, no uuid, a bad uuid, a bad email, a bad date, and
   * a multi-megabyte blob (producers need max.request.size above {@link #BLOB_BYTES}).
   */
  public static List<byte[]> poisonPayloads() {
    ObjectNode noUuid = user("poison", 1);
    ((ObjectNode) noUuid.get("login")).remove("uuid");
    ObjectNode badUuid = user("poison", 2);
    ((ObjectNode) badUuid.get("login")).put("uuid", "not-a-uuid");
    ObjectNode badEmail = user("poison", 3);
    badEmail.put("email", "nobody-at-example.com");
    ObjectNode badDate = user("poison", 4);
    ((ObjectNode) badDate.get("dob")).put("date", "yesterday");
    try {
      // Cut off in the middle of the password: not JSON, yet it holds a secret.
      String whole = Json.MAPPER.writeValueAsString(user("poison", 5));
      byte[] truncated =
          whole.substring(0, whole.indexOf("\"password\":\"") + 16).getBytes(StandardCharsets.UTF_8);
      return List.of(
          "{not json".getBytes(StandardCharsets.UTF_8),
          "[1,2,3]".getBytes(StandardCharsets.UTF_8),
          new byte[0],
          new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
          Json.MAPPER.writeValueAsBytes(noUuid),
          Json.MAPPER.writeValueAsBytes(badUuid),
          Json.MAPPER.writeValueAsBytes(badEmail),
          Json.MAPPER.writeValueAsBytes(badDate),
          truncated,
          blob());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
