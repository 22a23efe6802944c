package dev.userstream.profiles;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertThrows;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.LastNameKey;
import dev.userstream.cassandra.ProfileUpsert;
import dev.userstream.model.UserProfile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The stack's profiles API (infra/stack.py up) over profiles written into the stack's table the way
 * the streaming job writes them ({@link ProfileUpsert}): every filter, alone and combined, paging
 * through 10,000 matches, a replayed row, the read-only role. The rows carry this run's own country
 * and are deleted afterwards.
 */
public class ProfilesApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = env("USERSTREAM_PROFILES_API", "http://127.0.0.1:18095");
  private static final String CASSANDRA = env("USERSTREAM_CASSANDRA", "127.0.0.1:19042");
  private static final String HOME = env("USERSTREAM_HOME", ".userstream");
  private static final int ROWS = 10_000;
  private static final String[] LAST_NAMES = {
    "Smith", "Smythe", "Østergaard", "Nichols", "Wolfeschlegelsteinhausenbergerdorff", "Wolfeschlegelsteinhausen",
    "Нестеренко", "Нестор"
  };
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String COUNTRY = "Itland " + RUN;
  private static final Map<UUID, UserProfile> WRITTEN = new LinkedHashMap<>();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static CqlSession session;
  private static PreparedStatement upsert;

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static UserProfile profile(int i) {
    Instant at = Instant.parse("2026-12-07T10:00:00Z").plusMillis(i);
    return UserProfile.builder()
        .id(UUID.nameUUIDFromBytes((RUN + "/" + i).getBytes(StandardCharsets.UTF_8)))
        .title(i % 2 == 0 ? "Ms" : "Mr").firstName("Jennie " + i).lastName(LAST_NAMES[i % LAST_NAMES.length])
        .gender(i % 2 == 0 ? "female" : "male").street(i + " Billings Street").city("Billings").state("Itstate")
        .country(COUNTRY).postcode("V0K " + i).latitude(i % 7 == 0 ? null : 70.1624 - i / 1000.0).longitude(103.6837)
        .timezoneOffset("-3:00").email("it-" + RUN + "-" + i + "@example.com").username("it" + RUN + "u" + i)
        .dob(Instant.parse("1960-03-08T15:13:16.688Z")).age(i % 5 == 0 ? null : 66)
        .registeredAt(Instant.parse("2005-07-09T05:51:59.390Z")).phone("(272) 790-3076").cell(null)
        .pictureUrl("https://randomuser.me/api/portraits/women/8.jpg").nat(i % 3 == 0 ? "QX" : "QY").ingestedAt(at)
        .build();
  }

  @BeforeClass
  public static void writeProfiles() throws Exception {
    session = new CassandraEndpoint(CASSANDRA, "userstream", "LOCAL_QUORUM").withLoginFromEnvironment().connect();
    upsert = session.prepare(ProfileUpsert.insertCql("userstream", "users"));
    for (int i = 0; i < ROWS; i++) {
      UserProfile p = profile(i);
      WRITTEN.put(p.id, p);
    }
    executeAll(WRITTEN.values().stream().map(p -> ProfileUpsert.bind(upsert, p)).toList());
  }

  /** Runs the statements with at most 64 in flight (a connection takes 1,024 at most), and waits for all. */
  private static void executeAll(List<? extends Statement<?>> statements) throws InterruptedException {
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<?>> done = new ArrayList<>();
    for (Statement<?> statement : statements) {
      inFlight.acquire();
      done.add(session.executeAsync(statement).toCompletableFuture().whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
  }

  @AfterClass
  public static void deleteProfiles() throws InterruptedException {
    if (session == null) {
      return;
    }
    PreparedStatement delete = session.prepare("DELETE FROM userstream.users WHERE id = ?");
    try {
      executeAll(WRITTEN.keySet().stream().map(delete::bind).toList());
    } finally {
      session.close();
    }
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(API + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(String pathAndQuery) throws Exception {
    HttpResponse<String> response = get(pathAndQuery);
    assertThat(pathAndQuery + ": " + response.body(), response.statusCode(), is(200));
    return JSON.readTree(response.body());
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Every profile a listing returns, following its cursors; fails on a repeat. */
  private static List<JsonNode> all(String query, int limit) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String next = null;
    do {
      JsonNode page = ok("/profiles?" + query + "&limit=" + limit + (next == null ? "" : "&cursor=" + next));
      assertThat(page.get("profiles").size(), lessThanOrEqualTo(limit));
      for (JsonNode p : page.get("profiles")) {
        assertThat("repeated " + p.get("id"), seen.add(p.get("id").asText()), is(true));
        out.add(p);
      }
      next = page.get("next").isNull() ? null : page.get("next").asText();
    } while (next != null);
    return out;
  }

  private static Set<String> ids(List<JsonNode> profiles) {
    return profiles.stream().map(p -> p.get("id").asText()).collect(Collectors.toSet());
  }

  private static Set<String> written(Predicate<UserProfile> which) {
    return WRITTEN.values().stream().filter(which).map(p -> p.id.toString()).collect(Collectors.toSet());
  }

  private static void assertSameProfile(JsonNode json, UserProfile p) {
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("id", p.id.toString());
    expected.put("title", p.title);
    expected.put("firstName", p.firstName);
    expected.put("lastName", p.lastName);
    expected.put("gender", p.gender);
    expected.put("street", p.street);
    expected.put("city", p.city);
    expected.put("state", p.state);
    expected.put("country", p.country);
    expected.put("postcode", p.postcode);
    expected.put("latitude", p.latitude);
    expected.put("longitude", p.longitude);
    expected.put("timezoneOffset", p.timezoneOffset);
    expected.put("email", p.email);
    expected.put("username", p.username);
    expected.put("dob", p.dob.toString());
    expected.put("age", p.age);
    expected.put("registeredAt", p.registeredAt.toString());
    expected.put("phone", p.phone);
    expected.put("cell", p.cell);
    expected.put("pictureUrl", p.pictureUrl);
    expected.put("nat", p.nat);
    expected.put("ingestedAt", p.ingestedAt.truncatedTo(ChronoUnit.MILLIS).toString());
    assertThat(JSON.convertValue(json, Map.class), is(expected));
  }

  /** What makes a look-up read little: small compression chunks, and decompressed ones kept in memory. */
  @Test
  public void theStoreIsSetUpForLookUps() {
    Map<String, String> compression = session.execute("SELECT compression FROM system_schema.tables"
        + " WHERE keyspace_name = 'userstream' AND table_name = 'users'").one().getMap(0, String.class, String.class);
    assertThat(compression.get("chunk_length_in_kb"), is("4"));
    assertThat(session.execute("SELECT value FROM system_views.settings WHERE name = 'file_cache_enabled'")
        .one().getString(0), is("true"));
  }

  @Test
  public void aProfileByIdIsTheStoredRowFieldByField() throws Exception {
    for (int i : new int[] {0, 1, 7, 9_999}) {
      UserProfile p = profile(i);
      assertSameProfile(ok("/profiles/" + p.id), p);
    }
    HttpResponse<String> missing = get("/profiles/" + UUID.nameUUIDFromBytes(("none/" + RUN).getBytes(StandardCharsets.UTF_8)));
    assertThat(missing.statusCode(), is(404));
  }

  @Test
  public void emailAndUsernameFindTheirProfileIgnoringCase() throws Exception {
    UserProfile p = profile(4242);
    JsonNode byEmail = ok("/profiles?email=" + q(p.email.toUpperCase(java.util.Locale.ROOT)));
    assertThat(byEmail.get("profiles").size(), is(1));
    assertSameProfile(byEmail.get("profiles").get(0), p);
    assertThat(ids(all("username=" + q(p.username), 10)), is(Set.of(p.id.toString())));
    assertThat(ok("/profiles?email=" + q("nobody-" + RUN + "@example.com")).get("profiles").size(), is(0));
  }

  @Test
  public void pagingThrough10000MatchesHasNoRepeatsAndNoGaps() throws Exception {
    assertThat(ids(all("country=" + q(COUNTRY), 100)), is(written(p -> true)));
  }

  @Test
  public void filtersCombine() throws Exception {
    String country = "country=" + q(COUNTRY.toUpperCase(java.util.Locale.ROOT));
    assertThat(ids(all(country + "&nat=qx", 100)), is(written(p -> p.nat.equals("QX"))));
    assertThat(ids(all(country + "&lastNamePrefix=smi", 100)), is(written(p -> p.lastName.equals("Smith"))));
    assertThat(ids(all(country + "&lastNamePrefix=SM&nat=QY", 100)),
        is(written(p -> p.lastName.startsWith("Sm") && p.nat.equals("QY"))));
    assertThat(ids(all(country + "&lastNamePrefix=" + q("Øst"), 100)), is(written(p -> p.lastName.equals("Østergaard"))));
    // Longer than the stored key: the rest is matched by the API, pages may come back short.
    String longPrefix = "wolfeschlegelsteinhausenb";
    assertThat(LastNameKey.range(longPrefix).exact(), is(false));
    assertThat(ids(all(country + "&lastNamePrefix=" + longPrefix, 50)),
        is(written(p -> p.lastName.equals("Wolfeschlegelsteinhausenbergerdorff"))));
    // Four Cyrillic letters fill the key, which Нестеренко and Нестор share.
    assertThat(ids(all(country + "&lastNamePrefix=" + q("нест"), 100)), is(written(p -> p.lastName.startsWith("Нест"))));
    assertThat(ids(all(country + "&lastNamePrefix=" + q("НЕСТЕ"), 100)), is(written(p -> p.lastName.equals("Нестеренко"))));
    UserProfile p = profile(12);
    assertThat(ids(all(country + "&email=" + q(p.email) + "&nat=" + p.nat, 10)), is(Set.of(p.id.toString())));
    assertThat(ids(all(country + "&email=" + q(p.email) + "&nat=ZZ", 10)), is(Set.of()));
  }

  @Test
  public void aReplayedRowReadsTheSame() throws Exception {
    UserProfile p = profile(77);
    String before = get("/profiles/" + p.id).body();
    session.execute(ProfileUpsert.bind(upsert, p));
    assertThat(get("/profiles/" + p.id).body(), is(before));
  }

  @Test
  public void aForgedCursorIsRefusedAndACursorIsBoundToItsFilters() throws Exception {
    String next = ok("/profiles?country=" + q(COUNTRY) + "&limit=10").get("next").asText();
    byte[] raw = Base64.getUrlDecoder().decode(next);
    raw[raw.length / 2] ^= 0x40;
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    for (String query : new String[] {"country=" + q(COUNTRY) + "&cursor=" + forged, "nat=QX&cursor=" + next}) {
      HttpResponse<String> refused = get("/profiles?" + query);
      assertThat(refused.statusCode(), is(400));
      assertThat(refused.body(), containsString("cursor: not one this API issued"));
    }
  }

  @Test
  public void theApisRoleMayOnlyReadTheProfiles() throws Exception {
    String passwordFile = Path.of(HOME, "secrets", "cassandra-reader.password").toString();
    try (CqlSession reader = new CassandraEndpoint(CASSANDRA, "userstream", "ONE")
        .withLogin("userstream_reader", passwordFile).connect()) {
      assertThat(reader.execute("SELECT id FROM userstream.users WHERE id = ?", profile(3).id).one() != null, is(true));
      assertThrows(UnauthorizedException.class, () -> reader.execute(
          "INSERT INTO userstream.users (id, ingested_at) VALUES (?, ?)", UUID.randomUUID(), Instant.now()));
      assertThrows(UnauthorizedException.class, () -> reader.execute("DELETE FROM userstream.users WHERE id = ?", profile(3).id));
      assertThrows(UnauthorizedException.class, () -> reader.execute("SELECT * FROM system_auth.roles"));
      assertThrows(UnauthorizedException.class, () -> reader.execute("CREATE KEYSPACE it_denied WITH replication ="
          + " {'class': 'SimpleStrategy', 'replication_factor': 1}"));
    }
  }
}
