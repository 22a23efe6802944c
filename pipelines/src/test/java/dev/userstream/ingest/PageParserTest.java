package dev.userstream.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.Assert.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.userstream.emulator.RandomUserEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The page envelope and the contract's quirks (docs/RANDOMUSER-API.md), on pages served by the
 * emulator and on hand-made bodies for what the emulator never sends.
 */
public class PageParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RandomUserEmulator api;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeClass
  public static void start() throws Exception {
    api = RandomUserEmulator.start(0);
  }

  @AfterClass
  public static void stop() {
    api.close();
  }

  private static byte[] page(String query) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "?" + query)).build(),
        HttpResponse.BodyHandlers.ofByteArray()).body();
  }

  @Test
  public void everyUserIsCutOutByteForByteWithItsKey() throws Exception {
    byte[] body = page("results=600&seed=parser");
    List<ApiUser> users = PageParser.parse(body);
    JsonNode whole = JSON.readTree(body).get("results");
    assertThat(users, hasSize(600));
    String text = new String(body, UTF_8);
    Set<String> nats = new HashSet<>();
    Set<Boolean> numericPostcode = new HashSet<>();
    boolean nullId = false;
    boolean nonAscii = false;
    for (int i = 0; i < users.size(); i++) {
      ApiUser u = users.get(i);
      JsonNode expected = whole.get(i);
      // The slice is the API's own text (a substring of the body) and the same JSON value.
      assertThat(text.contains(u.text()), equalTo(true));
      assertThat(JSON.readTree(u.text()), equalTo(expected));
      assertThat(u.uuid(), equalTo(expected.at("/login/uuid").asText()));
      nats.add(expected.get("nat").asText());
      numericPostcode.add(expected.at("/location/postcode").isNumber());
      nullId |= expected.at("/id/value").isNull();
      nonAscii |= !u.text().chars().allMatch(c -> c < 128);
    }
    assertThat(nats.size(), equalTo(21));
    assertThat(numericPostcode, equalTo(Set.of(true, false)));
    assertThat(nullId, equalTo(true));
    assertThat(nonAscii, equalTo(true));
  }

  @Test
  public void noinfoAndIncWithLoginStillParse() throws Exception {
    assertThat(PageParser.parse(page("results=5&noinfo")), hasSize(5));
    List<ApiUser> slim = PageParser.parse(page("results=3&inc=login,nat"));
    assertThat(slim, hasSize(3));
    assertThat(JSON.readTree(slim.get(0).text()).has("location"), equalTo(false));
  }

  @Test
  public void usersWithoutAKeyAreRefusedForGood() throws Exception {
    BadResponseException e = assertThrows(BadResponseException.class, () -> PageParser.parse(page("results=2&exc=login")));
    assertThat(e.getMessage(), containsString("results[0] has no login.uuid"));
    assertThat(e.retryable(), equalTo(false));

    BadResponseException notUuid = assertThrows(BadResponseException.class,
        () -> PageParser.parse("{\"results\":[{\"login\":{\"uuid\":\"42\"}}]}".getBytes(UTF_8)));
    assertThat(notUuid.getMessage(), containsString("'42', not a UUID"));
    assertThat(notUuid.retryable(), equalTo(false));
  }

  @Test
  public void uppercaseKeysAreNormalisedLikePostgresPrintsThem() throws Exception {
    List<ApiUser> users = PageParser.parse(
        "{\"results\":[{\"login\":{\"uuid\":\"7A0EED16-9430-4D68-901F-C0D4C1C3BF00\"}}]}".getBytes(UTF_8));
    assertThat(users.get(0).uuid(), equalTo("7a0eed16-9430-4d68-901f-c0d4c1c3bf00"));
  }

  @Test
  public void errorBodiesHtmlTruncationAndMissingResultsAreRetryable() {
    assertRetryable("{\"error\":\"Uh oh, something has gone wrong.\"}", "the API answered with an error: Uh oh");
    assertRetryable("<html><body>502 Bad Gateway</body></html>", "not a JSON object: <html>");
    assertRetryable("", "not a JSON object: (empty body)");
    assertRetryable("{\"results\":[{\"login\":{\"uuid\":\"7a0eed16-9430", "truncated or malformed JSON");
    assertRetryable("{\"info\":{}}", "no \"results\" array");
    assertRetryable("{\"results\":[]} trailing", "malformed JSON");
  }

  @Test
  public void anEmptyResultsArrayIsAnEmptyPage() throws Exception {
    assertThat(PageParser.parse("{\"results\":[],\"info\":{}}".getBytes(UTF_8)), hasSize(0));
  }

  private static void assertRetryable(String body, String message) {
    BadResponseException e = assertThrows(BadResponseException.class, () -> PageParser.parse(body.getBytes(UTF_8)));
    assertThat(e.getMessage(), containsString(message));
    assertThat(e.retryable(), equalTo(true));
  }
}
