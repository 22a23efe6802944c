package dev.userstream.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/** Sample users are the emulator's users, and the poison payloads are each bad in their own way. */
public class SampleUsersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  public void sampleUserNIsTheUserTheEmulatorServesAtThatPosition() throws Exception {
    JsonNode page2 = JSON.readTree(UserGenerator.page(Query.parse("seed=abc&results=5000&page=2")));
    for (int i : new int[] {0, 7, 4999}) {
      JsonNode served = page2.get("results").get(i);
      SampleUsers.SampleUser sample = SampleUsers.user("abc", 5000 + i);
      assertThat(JSON.readTree(sample.json()), equalTo(served));
      assertThat(sample.uuid(), equalTo(served.at("/login/uuid").asText()));
    }
  }

  @Test
  public void theSameSeedGivesTheSameUsersAndAnotherSeedOthers() {
    assertThat(SampleUsers.userJson("s", 3), equalTo(SampleUsers.userJson("s", 3)));
    assertThat(SampleUsers.uuid("s", 3), not(equalTo(SampleUsers.uuid("t", 3))));
    Set<String> uuids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      uuids.add(SampleUsers.uuid("s", i));
    }
    assertThat(uuids, hasSize(10_000));
  }

  @Test
  public void poisonPayloadsAreTenDifferentKindsOfBadInput() throws Exception {
    List<byte[]> poison = SampleUsers.poisonPayloads();
    assertThat(poison, hasSize(10));
    Set<String> distinct = new HashSet<>();
    poison.forEach(p -> distinct.add(new String(p, StandardCharsets.ISO_8859_1)));
    assertThat(distinct, hasSize(10));
    assertThat(JSON.readTree(poison.get(4)).at("/login/uuid").isMissingNode(), is(true));
    assertThat(JSON.readTree(poison.get(5)).at("/login/uuid").asText(), equalTo("not-a-uuid"));
    assertThat(JSON.readTree(poison.get(6)).get("email").asText(), equalTo("nobody-at-example.com"));
    assertThat(JSON.readTree(poison.get(7)).at("/dob/date").asText(), equalTo("yesterday"));
    assertThat(new String(poison.get(8), StandardCharsets.UTF_8).contains("\"password\":\""), is(true));
    assertThat(poison.get(9).length, equalTo(SampleUsers.BLOB_BYTES));
  }
}
