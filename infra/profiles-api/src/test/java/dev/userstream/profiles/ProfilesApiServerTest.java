package dev.userstream.profiles;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The HTTP surface over a fake store: statuses, bodies, paging, and what bad input never reaches. */
public class ProfilesApiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final UUID KNOWN = UUID.fromString("3fa85f64-5717-4562-b3fc-2c963f66afa6");

  /** Three pages of one profile each; records every listing it serves. */
  private static final class FakeProfiles implements ProfileSource {
    final List<String> listings = new ArrayList<>();
    volatile RuntimeException failure;

    @Override
    public Optional<ObjectNode> byId(UUID id) {
      if (failure != null) {
        throw failure;
      }
      return id.equals(KNOWN) ? Optional.of(profile(0)) : Optional.empty();
    }

    @Override
    public Page list(ProfileQuery query, ByteBuffer pagingState) {
      int page = pagingState == null ? 0 : pagingState.get(pagingState.position());
      listings.add(query.canonicalFilters() + "page " + page);
      ByteBuffer next = page < 2 ? ByteBuffer.wrap(new byte[] {(byte) (page + 1)}) : null;
      return new Page(List.of(profile(page)), next);
    }

    @Override
    public void check() {
      if (failure != null) {
        throw failure;
      }
    }

    @Override
    public void close() {}

    static ObjectNode profile(int n) {
      ObjectNode p = JsonNodeFactory.instance.objectNode();
      p.put("id", n == 0 ? KNOWN.toString() : new UUID(0, n).toString());
      p.put("lastName", "Nichols");
      return p;
    }
  }

  private final FakeProfiles profiles = new FakeProfiles();
  private final HttpClient http = HttpClient.newHttpClient();
  private ProfilesApiServer api;

  @Before
  public void start() throws Exception {
    api = ProfilesApiServer.start("127.0.0.1", 0, 2, profiles,
        new Cursors("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)), 20, 100);
  }

  @After
  public void stop() {
    api.close();
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  public void aProfileByIdOr404() throws Exception {
    HttpResponse<String> found = get("/profiles/" + KNOWN);
    assertThat(found.statusCode(), is(200));
    assertThat(found.headers().firstValue("Content-Type").orElse(""), containsString("application/json"));
    assertThat(JSON.readTree(found.body()).get("id").asText(), is(KNOWN.toString()));
    HttpResponse<String> missing = get("/profiles/" + new UUID(7, 7));
    assertThat(missing.statusCode(), is(404));
    assertThat(JSON.readTree(missing.body()).get("error").asText(), containsString("no profile with id"));
  }

  @Test
  public void pagesFollowTheirCursorsToTheEnd() throws Exception {
    List<String> ids = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      HttpResponse<String> page = get("/profiles?nat=gb&limit=1" + (next == null ? "" : "&cursor=" + next));
      assertThat(page.body(), page.statusCode(), is(200));
      JsonNode body = JSON.readTree(page.body());
      body.get("profiles").forEach(p -> ids.add(p.get("id").asText()));
      next = body.get("next").isNull() ? null : body.get("next").asText();
      pages++;
    } while (next != null && pages < 10);
    assertThat(pages, is(3));
    assertThat(ids, is(List.of(KNOWN.toString(), new UUID(0, 1).toString(), new UUID(0, 2).toString())));
  }

  @Test
  public void badInputIsA400WithTheReasonAndReadsNothing() throws Exception {
    String cursor = JSON.readTree(get("/profiles?nat=GB").body()).get("next").asText();
    profiles.listings.clear();
    String[][] cases = {
      {"/profiles/not-a-uuid", "id: a profile id is a UUID"},
      {"/profiles/" + KNOWN + "%27%20OR%201=1", "id: a profile id is a UUID"},
      {"/profiles/" + KNOWN + "?x=1", "takes no query parameters"},
      {"/profiles", "give at least one filter"},
      {"/profiles?nat=GB&limit=1000000", "limit: a whole number from 1 to 100"},
      {"/profiles?nat=GB&sort=email", "unknown parameter 'sort'"},
      {"/profiles?nat=FR&cursor=" + cursor, "cursor: not one this API issued for these filters"},
      {"/profiles?nat=GB&cursor=" + cursor.substring(1), "cursor: not one this API issued"},
      {"/profiles?email=%27%3B%20DROP%20TABLE%20users%3B%00", "email: control characters"},
    };
    for (String[] c : cases) {
      HttpResponse<String> response = get(c[0]);
      assertThat(c[0], response.statusCode(), is(400));
      assertThat(c[0], JSON.readTree(response.body()).get("error").asText(), containsString(c[1]));
      assertThat(c[0], response.body(), not(containsString("Exception")));
    }
    assertThat(profiles.listings, is(List.of()));
  }

  @Test
  public void otherMethodsAndPathsAreRefused() throws Exception {
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
        + "/profiles?nat=GB")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode(), is(405));
    assertThat(post.headers().firstValue("Allow").orElse(""), is("GET"));
    assertThat(get("/admin").statusCode(), is(404));
  }

  @Test
  public void aStoreThatDoesNotAnswerIsA503WithoutItsStackTrace() throws Exception {
    profiles.failure = new DriverTimeoutException("Query timed out after PT2S");
    HttpResponse<String> response = get("/profiles/" + KNOWN);
    assertThat(response.statusCode(), is(503));
    assertThat(response.body(), not(containsString("PT2S")));
    assertThat(get("/health").statusCode(), is(503));
    profiles.failure = null;
    assertThat(get("/health").statusCode(), is(200));
  }

  @Test
  public void theOpenApiDescriptionIsServed() throws Exception {
    JsonNode spec = JSON.readTree(get("/openapi.json").body());
    assertThat(spec.get("openapi").asText(), is("3.0.3"));
    assertThat(spec.get("paths").has("/profiles/{id}"), is(true));
    // Every listing parameter the API knows is described, and no other.
    List<String> described = new ArrayList<>();
    spec.at("/paths/~1profiles/get/parameters").forEach(p -> described.add(p.get("name").asText()));
    assertThat(described, is(ProfileQuery.parameters()));
  }
}
