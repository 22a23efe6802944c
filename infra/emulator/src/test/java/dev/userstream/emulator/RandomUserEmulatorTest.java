package dev.userstream.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The emulator against the API contract, over real HTTP on loopback. */
public class RandomUserEmulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private RandomUserEmulator api;

  @Before
  public void start() throws IOException {
    api = RandomUserEmulator.start(0);
  }

  @After
  public void stop() {
    api.close();
  }

  private HttpResponse<byte[]> get(String query) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "?" + query)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonNode json(String query) throws Exception {
    HttpResponse<byte[]> r = get(query);
    assertThat(r.statusCode(), equalTo(200));
    return JSON.readTree(r.body());
  }

  private static List<JsonNode> users(JsonNode page) {
    List<JsonNode> out = new ArrayList<>();
    page.get("results").forEach(out::add);
    return out;
  }

  @Test
  public void sameSeedPageAndResultsGiveByteIdenticalUsers() throws Exception {
    byte[] first = get("results=50&page=3&seed=abc").body();
    byte[] again = get("results=50&page=3&seed=abc").body();
    assertThat(again, equalTo(first));
    Set<String> page3 = uuids(JSON.readTree(first));
    Set<String> page4 = uuids(json("results=50&page=4&seed=abc"));
    page4.retainAll(page3);
    assertThat("other pages, other users", page4, hasSize(0));
    assertThat(uuids(json("results=50")), not(equalTo(uuids(json("results=50")))));
  }

  private static Set<String> uuids(JsonNode page) {
    Set<String> out = new HashSet<>();
    users(page).forEach(u -> out.add(u.at("/login/uuid").asText()));
    return out;
  }

  @Test
  public void resultsOutOfRangeOrNotAnIntegerMeanOne() throws Exception {
    for (String bad : List.of("0", "5001", "-3", "ten", "")) {
      assertThat("results=" + bad, users(json("results=" + bad)), hasSize(1));
    }
    JsonNode page = json("results=5000&seed=big");
    assertThat(users(page), hasSize(5000));
    assertThat(page.at("/info/results").asInt(), equalTo(5000));
    assertThat(page.at("/info/seed").asText(), equalTo("big"));
    assertThat(page.at("/info/version").asText(), equalTo("1.4"));
  }

  @Test
  public void everyNationalityWithItsOwnFormats() throws Exception {
    List<JsonNode> all = users(json("results=3000&seed=nats"));
    Set<String> nats = new HashSet<>();
    for (JsonNode u : all) {
      String nat = u.get("nat").asText();
      nats.add(nat);
      JsonNode postcode = u.at("/location/postcode");
      assertThat(nat + " postcode type", postcode.isNumber(), equalTo(Nationality.valueOf(nat).numericPostcode));
      assertThat(u.at("/location/coordinates/latitude").isTextual(), is(true));
      assertThat(u.at("/id/value").isNull(), equalTo(Nationality.valueOf(nat).idPattern == null));
      assertThat(u.at("/login/uuid").asText().matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), is(true));
      assertThat(u.at("/dob/date").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), is(true));
    }
    assertThat(nats, hasSize(21));
    List<JsonNode> ir = users(json("results=20&seed=x&nat=ir"));
    assertThat(ir, everyItem(new org.hamcrest.TypeSafeMatcher<JsonNode>() {
      @Override
      protected boolean matchesSafely(JsonNode u) {
        return u.get("nat").asText().equals("IR")
            && u.at("/name/first").asText().codePoints().anyMatch(c -> Character.UnicodeBlock.of(c) == Character.UnicodeBlock.ARABIC);
      }

      @Override
      public void describeTo(org.hamcrest.Description d) {
        d.appendText("an Iranian user named in Persian script");
      }
    }));
    Set<String> mixed = new HashSet<>();
    users(json("results=200&seed=y&nat=RS,ua,XX")).forEach(u -> mixed.add(u.get("nat").asText()));
    assertThat(mixed, equalTo(Set.of("RS", "UA")));
  }

  @Test
  public void genderIncExcAndNoinfo() throws Exception {
    users(json("results=100&gender=female")).forEach(u -> assertThat(u.get("gender").asText(), equalTo("female")));
    Set<String> genders = new HashSet<>();
    users(json("results=100&gender=other")).forEach(u -> genders.add(u.get("gender").asText()));
    assertThat(genders, equalTo(Set.of("male", "female")));

    JsonNode inc = users(json("inc=login,nat")).get(0);
    assertThat(fieldNames(inc), equalTo(Set.of("login", "nat")));
    JsonNode exc = users(json("exc=login,location,id")).get(0);
    assertThat(exc.has("login") || exc.has("location") || exc.has("id"), is(false));
    assertThat(exc.has("email"), is(true));
    assertThat(json("noinfo").has("info"), is(false));
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> out = new HashSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  public void injectedFaultsAnswerLikeTheRealServiceFailingThenRecover() throws Exception {
    api.slowDelayMillis(50);
    api.inject(Fault.ERROR_BODY, 1);
    api.inject(Fault.BAD_GATEWAY_HTML, 1);
    api.inject(Fault.RATE_LIMITED, 1);
    api.inject(Fault.TRUNCATED, 1);
    api.inject(Fault.SLOW, 1);

    HttpResponse<byte[]> errorBody = get("results=5");
    assertThat(errorBody.statusCode(), equalTo(200));
    assertThat(JSON.readTree(errorBody.body()).get("error").asText(), containsString("something has gone wrong"));

    HttpResponse<byte[]> html = get("results=5");
    assertThat(html.statusCode(), equalTo(502));
    assertThat(new String(html.body()), containsString("<html>"));

    HttpResponse<byte[]> limited = get("results=5");
    assertThat(limited.statusCode(), equalTo(429));
    assertThat(limited.headers().firstValue("Retry-After").orElse(""), equalTo("1"));
    assertThat(JSON.readTree(limited.body()).has("error"), is(true));

    try {
      HttpResponse<byte[]> truncated = get("results=50");
      // Some clients hand over what arrived: it must not be a whole page.
      assertThat(truncated.body().length < 50 * 900, is(true));
    } catch (IOException expected) {
      // Others see the connection close early.
    }

    assertThat(users(json("results=5")), hasSize(5)); // slow, then whole
    assertThat(users(json("results=5")), hasSize(5)); // all faults used up
  }

  @Test
  public void usersPerWindowAreLimitedAsTheRealServiceDoes() throws Exception {
    // A one-hour window: every request falls in it however slow the machine is.
    try (RandomUserEmulator limited = RandomUserEmulator.start(0, 150, java.util.concurrent.TimeUnit.HOURS.toNanos(1))) {
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<byte[]> last = null;
      for (int i = 0; i < 3; i++) {
        last = http.send(HttpRequest.newBuilder(URI.create(limited.baseUrl() + "?results=100")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        statuses.add(last.statusCode());
      }
      // 100 served, then 100 more (the count was below the limit when asked), then refused.
      assertThat(statuses, equalTo(List.of(200, 200, 429)));
      assertThat(last.headers().firstValue("Retry-After").isPresent(), is(false));
      assertThat(JSON.readTree(last.body()).get("error").asText(),
          containsString("Whoa, ease up there cowboy. You've requested 200 users in the last 3600 seconds"));
    }
  }

  @Test
  public void faultsCanBeQueuedOverHttp() throws Exception {
    HttpResponse<String> queued = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/__admin/faults?fault=BAD_GATEWAY_HTML&times=2"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(queued.statusCode(), equalTo(200));
    assertThat(get("").statusCode(), equalTo(502));
    HttpResponse<String> cleared = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/__admin/faults")).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(cleared.statusCode(), equalTo(204));
    assertThat(get("").statusCode(), equalTo(200));
    HttpResponse<String> unknown = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/__admin/faults?fault=NOPE"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode(), equalTo(400));
  }

  @Test
  public void aFaultForOnePageLeavesOtherPagesAlone() throws Exception {
    api.inject(Fault.BAD_GATEWAY_HTML, 2, 3);
    assertThat(get("results=5&page=1").statusCode(), equalTo(200));
    assertThat(get("results=5&page=3").statusCode(), equalTo(502));
    assertThat(get("results=5&page=2").statusCode(), equalTo(200));
    assertThat(get("results=5&page=3").statusCode(), equalTo(502));
    assertThat(get("results=5&page=3").statusCode(), equalTo(200));
  }
}
