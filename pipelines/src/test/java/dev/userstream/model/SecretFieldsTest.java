package dev.userstream.model;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class SecretFieldsTest {
  private static final String USER =
      "{\"email\":\"a@example.com\",\"login\":{\"uuid\":\"7a0eed16-9430-4d68-901f-c0d4c1c3bf00\","
          + "\"username\":\"yellowpeacock117\",\"password\":\"addison\",\"salt\":\"sld1yGtd\","
          + "\"md5\":\"c4b3\",\"sha1\":\"b2c3\",\"sha256\":\"d4e5\"}}";

  @Test
  public void jsonLosesEverySecretValueAndKeepsTheRest() throws Exception {
    JsonNode out = Json.MAPPER.readTree(SecretFields.redact(USER.getBytes(UTF_8)));
    for (String name : SecretFields.NAMES) {
      assertThat(name, out.at("/login/" + name).asText(), equalTo(SecretFields.REDACTED));
    }
    assertThat(out.at("/login/username").asText(), equalTo("yellowpeacock117"));
    assertThat(out.at("/login/uuid").asText(), equalTo("7a0eed16-9430-4d68-901f-c0d4c1c3bf00"));
    assertThat(out.at("/email").asText(), equalTo("a@example.com"));
  }

  @Test
  public void secretsAnywhereInTheDocumentAndUnderEscapedNamesAreRedacted() {
    String nested = "[{\"results\":[{\"login\":{\"password\":{\"plain\":\"addison\"}}}]},"
        + "{\"pass\\u0077ord\":\"hunter22\",\"sha1\":12345}]";
    String out = new String(SecretFields.redact(nested.getBytes(UTF_8)), UTF_8);
    assertThat(out, not(containsString("addison")));
    assertThat(out, not(containsString("hunter22")));
    assertThat(out, not(containsString("12345")));
  }

  @Test
  public void truncatedJsonLosesTheValueItWasCutIn() {
    String cut = USER.substring(0, USER.indexOf("addison") + 4);
    String out = new String(SecretFields.redact(cut.getBytes(UTF_8)), UTF_8);
    assertThat(out, not(containsString("addi")));
    assertThat(out, containsString("\"username\":\"yellowpeacock117\""));
    assertThat(out, containsString("\"password\":\"[redacted]\""));
  }

  @Test
  public void malformedJsonIsRedactedTextuallyAndItsOtherBytesKept() {
    // Not UTF-8 (0xFF) and not JSON (the trailing comma): the bytes around the secrets survive.
    byte[] in = ("{\"x\":\"\u00ff\",\"salt\" : \"sld1yGtd\", \"sha256\":d4e5,}").getBytes(ISO_8859_1);
    byte[] out = SecretFields.redact(in);
    assertThat(new String(out, ISO_8859_1),
        equalTo("{\"x\":\"\u00ff\",\"salt\" : \"[redacted]\", \"sha256\":\"[redacted]\",}"));
  }

  @Test
  public void payloadsWithoutSecretsAreReturnedAsTheyAre() {
    byte[] plain = "{\"login\":{\"uuid\":\"x\"}}".getBytes(UTF_8);
    assertThat(SecretFields.redact(plain), sameInstance(plain));
    byte[] notJson = {'{', (byte) 0xC3, (byte) 0x28};
    assertThat(SecretFields.redact(notJson), sameInstance(notJson));
    assertThat(SecretFields.redact(null), equalTo(null));
  }

  @Test
  public void errorMessagesLoseSecretPairs() {
    assertThat(SecretFields.redactText("bad token near \"password\":\"addison\", end"),
        equalTo("bad token near \"password\":\"[redacted]\", end"));
  }
}
