package dev.userstream.profiles;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import dev.userstream.profiles.ProfileQuery.Filter;
import java.util.Map;
import org.junit.Test;

/** Every parameter is checked before anything is read, and a refusal names what is wrong. */
public class ProfileQueryTest {
  private static ProfileQuery parse(String query) throws BadRequest {
    return ProfileQuery.parse(query, 20, 100);
  }

  private static String refusal(String query) {
    return assertThrows(BadRequest.class, () -> parse(query)).getMessage();
  }

  @Test
  public void filtersCombineAndAreNormalised() throws BadRequest {
    ProfileQuery q = parse("nat=gb&lastNamePrefix=%C3%87%C3%96Z&country=United%20Kingdom&limit=50");
    assertThat(q.filters(), is(Map.of(Filter.NAT, "GB", Filter.LAST_NAME_PREFIX, "çöz", Filter.COUNTRY, "United Kingdom")));
    assertThat(q.limit(), is(50));
    assertThat(q.cursor(), is(nullValue()));
    // Canonical order is the filters' order, whatever the request's.
    assertThat(q.canonicalFilters(), is(parse("country=United+Kingdom&lastNamePrefix=%C3%A7%C3%B6z&nat=GB")
        .canonicalFilters()));
  }

  @Test
  public void theLimitDefaultsAndIsBounded() throws BadRequest {
    assertThat(parse("email=a%40b.c").limit(), is(20));
    assertThat(parse("email=a%40b.c&limit=100").limit(), is(100));
    for (String limit : new String[] {"0", "101", "-1", "abc", "99999999999999999999", "1.5", ""}) {
      assertThat(limit, refusal("email=a%40b.c&limit=" + limit), containsString("limit: a whole number from 1 to 100"));
    }
  }

  @Test
  public void aListingNeedsAFilter() {
    assertThat(refusal(null), containsString("give at least one filter"));
    assertThat(refusal("limit=5"), containsString("give at least one filter"));
  }

  @Test
  public void unknownRepeatedEmptyAndOverlongParametersAreRefused() {
    assertThat(refusal("email=a&password=x"), containsString("unknown parameter 'password'"));
    assertThat(refusal("nat=GB&nat=FR"), containsString("more than once"));
    assertThat(refusal("username="), containsString("username: empty"));
    assertThat(refusal("country=" + "x".repeat(65)), containsString("country: at most 64 characters"));
    assertThat(refusal("email=a%00b"), containsString("email: control characters"));
    assertThat(refusal("email=a%C2%85b"), containsString("email: control characters"));
    assertThat(refusal("email=%ZZ"), containsString("percent-encoding"));
  }

  @Test
  public void injectionAttemptsAreValuesNotSyntax() throws BadRequest {
    // Quotes and CQL keywords are bound as values, never spliced into the statement.
    String attempt = "x' OR 1=1; DROP TABLE users; --";
    assertThat(parse("username=" + java.net.URLEncoder.encode(attempt, java.nio.charset.StandardCharsets.UTF_8))
        .filters().get(Filter.USERNAME), is(attempt));
    assertThat(refusal("nat=G'"), containsString("nat: a two-letter nationality code"));
    assertThat(refusal("lastNamePrefix=%20%20"), containsString("lastNamePrefix: blank"));
  }

  @Test
  public void aCursorIsBounded() {
    assertThat(refusal("nat=GB&cursor="), containsString("cursor: not a cursor this API issued"));
    assertThat(refusal("nat=GB&cursor=" + "A".repeat(4097)), containsString("cursor: not a cursor this API issued"));
  }
}
