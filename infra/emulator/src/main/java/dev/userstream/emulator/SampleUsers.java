package dev.userstream.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator's users without HTTP, for the tests, the demo, the soak and the benchmark: the one
 * generator of users in the project. Sample user {@code n} of a seed is the user the emulator
 * serves at position {@code n % 5000} of page {@code n / 5000 + 1} for that seed with
 * {@code results=5000} (every nationality, every field), byte for byte. Also the poison payloads:
 * one of each kind of bad input the streaming job must dead-letter.
 */
public final class SampleUsers {
  /** Size of the oversized poison payload: above the job's default 1 MiB limit, below Kafka's 16 MiB. */
  public static final int BLOB_BYTES = 3 * 1024 * 1024;

  /** One user: its natural key (login.uuid) and its JSON as the API sends it (UTF-8). */
  public record SampleUser(String uuid, byte[] json) {}

  private SampleUsers() {}

  /** User {@code n} of {@code seed} (a non-empty text: the same seed gives the same users). */
  public static SampleUser user(String seed, long n) {
    if (seed == null || seed.isEmpty() || n < 0) {
      throw new IllegalArgumentException("a sample user needs a non-empty seed and an index >= 0");
    }
    Query page = Query.largestPage(seed, Math.toIntExact(n / Query.MAX_RESULTS + 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream(1400);
    try (JsonGenerator g = UserGenerator.JSON_FACTORY.createGenerator(out)) {
      String uuid = UserGenerator.user(g, page, n % Query.MAX_RESULTS);
      g.flush();
      return new SampleUser(uuid, out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The natural key of user {@code n} of {@code seed}. */
  public static String uuid(String seed, long n) {
    return user(seed, n).uuid();
  }

  /** User {@code n} of {@code seed} as UTF-8 JSON bytes. */
  public static byte[] userJson(String seed, long n) {
    return user(seed, n).json();
  }

  /** The nationality codes users come from (the API's {@code nat} values). */
  public static List<String> nationalities() {
    return Arrays.stream(Nationality.values()).map(Nationality::name).toList();
  }

  /**
   * Payloads the pipeline must dead-letter, one per kind of bad input, each with a reason: not
   * JSON, the wrong shape, empty, invalid UTF-8, no uuid (breaks the registered schema), a bad uuid,
   * a bad email, a bad date, a user cut off inside its password (not JSON, yet it holds a secret),
   * and a multi-megabyte blob (producers need max.request.size above {@link #BLOB_BYTES}).
   */
  public static List<byte[]> poisonPayloads() {
    String cutOff = text(1);
    cutOff = cutOff.substring(0, cutOff.indexOf("\"password\":\"") + 16);
    return List.of(
        bytes("{not json"),
        bytes("[1,2,3]"),
        new byte[0],
        new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
        bytes(replace(text(2), "\"uuid\":\"[^\"]*\",", "")),
        bytes(replace(text(3), "(\"uuid\":\")[^\"]*", "$1not-a-uuid")),
        bytes(replace(text(4), "(\"email\":\")[^\"]*", "$1nobody-at-example.com")),
        bytes(replace(text(5), "(\"dob\":\\{\"date\":\")[^\"]*", "$1yesterday")),
        bytes(cutOff),
        blob());
  }

  private static String text(long n) {
    return new String(userJson("poison", n), StandardCharsets.UTF_8);
  }

  private static String replace(String json, String regex, String replacement) {
    Matcher m = Pattern.compile(regex).matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + regex + " in a generated user");
    }
    return m.replaceFirst(replacement);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] blob() {
    byte[] b = new byte[BLOB_BYTES];
    Arrays.fill(b, (byte) 'x');
    b[0] = '"';
    b[b.length - 1] = '"';
    return b;
  }
}
