package dev.userstream.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.userstream.emulator.SampleUsers;
import java.time.Instant;
import java.util.UUID;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.Test;

/** Every coder gives back what it was given, including nulls, empty and non-UTF-8 bytes. */
public class CodersTest {
  @Test
  public void sourceRecordRoundTrips() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(
        Coders.SourceRecordCoder.of(),
        new SourceRecord(null, new byte[] {(byte) 0xFF, 0}, "users.raw", 2, 42L, 7L));
    CoderProperties.coderDecodeEncodeEqual(
        Coders.SourceRecordCoder.of(), new SourceRecord(new byte[0], null, "t", 0, 0L, 0L));
  }

  @Test
  public void parsedUserRoundTripsThroughItsPayload() throws Exception {
    byte[] payload = SampleUsers.userJson("coder", 3);
    ParsedUser in =
        new ParsedUser(
            new SourceRecord("k".getBytes(UTF_8), payload, "users.raw", 1, 9L, 10L),
            Json.MAPPER.readValue(payload, RawUser.class));
    ParsedUser out = org.apache.beam.sdk.util.CoderUtils.clone(Coders.ParsedUserCoder.of(), in);
    assertThat(out, equalTo(in));
    assertThat(out.user.uuid(), equalTo(SampleUsers.uuid("coder", 3)));
  }

  @Test
  public void deadLetterRoundTrips() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(
        Coders.DeadLetterCoder.of(),
        new DeadLetter(null, new byte[] {1, 2}, "users.raw-0@1", "parse", "X", "ünïcode reason", 5L));
  }

  @Test
  public void profileRoundTripsWithNulls() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(
        Coders.UserProfileCoder.of(),
        UserProfile.builder().id(UUID.randomUUID()).ingestedAt(Instant.ofEpochMilli(1)).build());
    CoderProperties.coderDecodeEncodeEqual(
        Coders.UserProfileCoder.of(),
        UserProfile.builder()
            .id(UUID.randomUUID())
            .firstName("Милош")
            .latitude(-1.5)
            .age(33)
            .dob(Instant.parse("1990-01-01T00:00:00.123Z"))
            .ingestedAt(Instant.ofEpochMilli(1))
            .build());
  }
}
