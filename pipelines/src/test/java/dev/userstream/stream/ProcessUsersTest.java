package dev.userstream.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.userstream.emulator.SampleUsers;
import dev.userstream.model.Coders.SourceRecordCoder;
import dev.userstream.model.DeadLetter;
import dev.userstream.model.SecretFields;
import dev.userstream.model.SourceRecord;
import dev.userstream.model.UserProfile;
import dev.userstream.schema.PayloadSchema;
import dev.userstream.schema.UserSchema;
import dev.userstream.testing.Counters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link ProcessUsers} on the DirectRunner: every quirk of the API contract becomes the right
 * profile, every kind of bad input a dead letter with the right stage and reason, and every input
 * ends on exactly one of the two outputs.
 */
@RunWith(JUnit4.class)
public class ProcessUsersTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final long KAFKA_TIMESTAMP = 1_700_000_000_123L;

  /** The user of docs/RANDOMUSER-API.md, verbatim but for the elided hashes. */
  static final String CONTRACT_USER =
      """
      {"gender":"female",
        "name":{"title":"Miss","first":"Jennie","last":"Nichols"},
        "location":{"street":{"number":8929,"name":"Valwood Pkwy"},"city":"Billings","state":"Michigan",
          "country":"United States","postcode":"63104",
          "coordinates":{"latitude":"-69.8246","longitude":"134.8719"},
          "timezone":{"offset":"+9:30","description":"Adelaide, Darwin"}},
        "email":"jennie.nichols@example.com",
        "login":{"uuid":"7a0eed16-9430-4d68-901f-c0d4c1c3bf00","username":"yellowpeacock117","password":"addison",
          "salt":"sld1yGtd","md5":"c4b3a5f5e4d2e0c2f1a2b3c4d5e6f7a8","sha1":"b2c3","sha256":"d4e5"},
        "dob":{"date":"1992-03-08T15:13:16.688Z","age":30},
        "registered":{"date":"2007-07-09T05:51:59.390Z","age":14},
        "phone":"(272) 790-0888","cell":"(489) 330-2385",
        "id":{"name":"SSN","value":"405-88-3636"},
        "picture":{"large":"https://randomuser.me/api/portraits/women/75.jpg",
          "medium":"https://randomuser.me/api/portraits/med/women/75.jpg",
          "thumbnail":"https://randomuser.me/api/portraits/thumb/women/75.jpg"},
        "nat":"US"}
      """;

  /** Numeric postcode, null id.value with empty id.name, Persian script, "0:00" offset, extra field. */
  static final String QUIRKY_USER =
      """
      {"gender":"male","name":{"title":"آقای","first":"آرین","last":"کامروا"},
       "location":{"street":{"number":5240,"name":"میدان انقلاب"},"city":"تهران","state":"تهران",
         "country":"Iran","postcode":38417,"coordinates":{"latitude":"12.5","longitude":"-3"},
         "timezone":{"offset":"0:00","description":"Western Europe Time"}},
       "email":"arin.kamrw@example.com",
       "login":{"uuid":"0B3E47B4-6F37-4E3A-9C43-6B2D1C8E2A11","username":"tinyrabbit123","password":"pw"},
       "dob":{"date":"1960-01-31T23:59:59.000Z","age":64},"registered":{"date":"2015-05-05T05:05:05.005Z","age":9},
       "phone":"031-12345678","cell":"0912-345-6789","id":{"name":"","value":null},
       "picture":{"large":"https://randomuser.me/api/portraits/men/1.jpg"},"nat":"IR","unexpected":{"x":1}}
      """;

  /** What {@code exc=location,dob,registered,picture,phone,cell,name,email} leaves: login and nat. */
  static final String SPARSE_USER =
      """
      {"login":{"uuid":"1c6f8a54-7c0f-4f6a-8d35-2a8f1b0e9d77","username":"sparse"},"nat":"NO"}
      """;

  private static SourceRecord record(long offset, String payload) {
    return record(offset, payload == null ? null : payload.getBytes(UTF_8));
  }

  private static SourceRecord record(long offset, byte[] payload) {
    return new SourceRecord(
        ("key-" + offset).getBytes(UTF_8), payload, "users.raw", 0, offset, KAFKA_TIMESTAMP);
  }

  private PCollectionTuple process(List<SourceRecord> records) {
    return pipeline
        .apply(Create.of(records).withCoder(SourceRecordCoder.of()))
        .apply(ProcessUsers.withMaxPayloadBytes(64 * 1024));
  }

  @Test
  public void contractUserBecomesTheRightProfile() {
    PCollectionTuple out = process(List.of(record(0, CONTRACT_USER)));

    UserProfile expected =
        UserProfile.builder()
            .id(UUID.fromString("7a0eed16-9430-4d68-901f-c0d4c1c3bf00"))
            .title("Miss")
            .firstName("Jennie")
            .lastName("Nichols")
            .gender("female")
            .street("8929 Valwood Pkwy")
            .city("Billings")
            .state("Michigan")
            .country("United States")
            .postcode("63104")
            .latitude(-69.8246)
            .longitude(134.8719)
            .timezoneOffset("+9:30")
            .email("jennie.nichols@example.com")
            .username("yellowpeacock117")
            .dob(Instant.parse("1992-03-08T15:13:16.688Z"))
            .age(30)
            .registeredAt(Instant.parse("2007-07-09T05:51:59.390Z"))
            .phone("(272) 790-0888")
            .cell("(489) 330-2385")
            .pictureUrl("https://randomuser.me/api/portraits/women/75.jpg")
            .nat("US")
            .ingestedAt(Instant.ofEpochMilli(KAFKA_TIMESTAMP))
            .build();
    PAssert.that(out.get(ProcessUsers.PROFILES)).containsInAnyOrder(expected);
    PAssert.that(out.get(ProcessUsers.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void quirksParse() {
    PCollectionTuple out = process(List.of(record(0, QUIRKY_USER), record(1, SPARSE_USER)));

    PAssert.that(out.get(ProcessUsers.PROFILES))
        .satisfies(
            profiles -> {
              Map<String, UserProfile> byNat = new HashMap<>();
              profiles.forEach(p -> byNat.put(p.nat, p));
              UserProfile ir = byNat.get("IR");
              // numeric postcode becomes text; upper-case UUID is accepted
              assertThat(ir.postcode, equalTo("38417"));
              assertThat(ir.id, equalTo(UUID.fromString("0b3e47b4-6f37-4e3a-9c43-6b2d1c8e2a11")));
              assertThat(ir.firstName, equalTo("آرین"));
              assertThat(ir.street, equalTo("5240 میدان انقلاب"));
              assertThat(ir.timezoneOffset, equalTo("0:00"));
              assertThat(ir.longitude, equalTo(-3.0));
              assertThat(ir.dob, equalTo(Instant.parse("1960-01-31T23:59:59Z")));

              UserProfile no = byNat.get("NO");
              assertThat(no.username, equalTo("sparse"));
              assertThat(
                  Arrays.asList(no.firstName, no.street, no.postcode, no.email, no.dob, no.latitude),
                  equalTo(Arrays.asList(null, null, null, null, null, null)));
              assertThat(byNat.keySet(), hasSize(2));
              return null;
            });
    PAssert.that(out.get(ProcessUsers.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void sampleUsersOfEveryNationalityParse() {
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      records.add(record(i, SampleUsers.userJson("quirks", i)));
    }
    PCollectionTuple out = process(records);

    PAssert.that(out.get(ProcessUsers.PROFILES))
        .satisfies(
            profiles -> {
              List<UserProfile> all =
                  StreamSupport.stream(profiles.spliterator(), false).collect(Collectors.toList());
              assertThat(all, hasSize(300));
              assertThat(
                  all.stream().map(p -> p.nat).distinct().count(),
                  equalTo((long) SampleUsers.nationalities().size()));
              for (UserProfile p : all) {
                assertThat(p.postcode != null && p.latitude != null && p.dob != null, equalTo(true));
              }
              return null;
            });
    PAssert.that(out.get(ProcessUsers.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  /** One bad payload per kind, each with the stage and the reason it must be dead-lettered with. */
  @Test
  public void badInputBecomesDeadLettersWithStageAndReason() {
    String noUuid = CONTRACT_USER.replace("\"uuid\":\"7a0eed16-9430-4d68-901f-c0d4c1c3bf00\",", "");
    String badUuid = CONTRACT_USER.replace("7a0eed16-9430-4d68-901f-c0d4c1c3bf00", "7a0eed16-nope");
    String badEmail = CONTRACT_USER.replace("jennie.nichols@example.com", "jennie at example");
    String badDob = CONTRACT_USER.replace("1992-03-08T15:13:16.688Z", "08/03/1992");
    String badRegistered = CONTRACT_USER.replace("2007-07-09T05:51:59.390Z", "2007-13-45T99:00:00Z");
    String badLatitude = CONTRACT_USER.replace("-69.8246", "north");
    String wrongShape = CONTRACT_USER.replace("\"name\":{\"title\":\"Miss\",\"first\":\"Jennie\",\"last\":\"Nichols\"}", "\"name\":[\"Jennie\"]");
    byte[] invalidUtf8 = {'{', '"', 'n', 'a', 't', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'};
    byte[] huge = new byte[64 * 1024 + 1];
    Arrays.fill(huge, (byte) ' ');

    List<SourceRecord> records =
        List.of(
            record(0, "{\"gender\": \"female\", "),
            record(1, "[{\"login\":{}}]"),
            record(2, "\"just a string\""),
            record(3, wrongShape),
            record(4, new byte[0]),
            record(5, (byte[]) null),
            record(6, invalidUtf8),
            record(7, huge),
            record(8, noUuid),
            record(9, badUuid),
            record(10, badEmail),
            record(11, badDob),
            record(12, badRegistered),
            record(13, badLatitude),
            record(14, "null"),
            record(15, CONTRACT_USER + " trailing"),
            record(16, CONTRACT_USER));
    PCollectionTuple out = process(records);
    HashMap<Long, byte[]> originals = new HashMap<>();
    records.forEach(r -> originals.put(r.offset, r.payload));

    HashMap<Long, String[]> expected = new HashMap<>();
    expected.put(0L, new String[] {Stage.PARSE, "malformed JSON"});
    expected.put(1L, new String[] {Stage.PARSE, "JSON does not have the shape of a user"});
    expected.put(2L, new String[] {Stage.PARSE, "JSON does not have the shape of a user"});
    expected.put(3L, new String[] {Stage.PARSE, "JSON does not have the shape of a user"});
    expected.put(4L, new String[] {Stage.PARSE, "empty payload"});
    expected.put(5L, new String[] {Stage.PARSE, "empty payload"});
    expected.put(6L, new String[] {Stage.PARSE, "payload is not valid UTF-8"});
    expected.put(7L, new String[] {Stage.PARSE, "payload of 65537 bytes exceeds the limit of 65536 bytes"});
    expected.put(8L, new String[] {Stage.VALIDATE, "missing login.uuid"});
    expected.put(9L, new String[] {Stage.VALIDATE, "login.uuid is not a UUID: '7a0eed16-nope'"});
    expected.put(10L, new String[] {Stage.VALIDATE, "email is not an address: 'jennie at example'"});
    expected.put(11L, new String[] {Stage.VALIDATE, "dob.date is not an ISO-8601 timestamp: '08/03/1992'"});
    expected.put(12L, new String[] {Stage.VALIDATE, "registered.date is not an ISO-8601 timestamp"});
    expected.put(13L, new String[] {Stage.VALIDATE, "location.coordinates.latitude is not a number: 'north'"});
    expected.put(14L, new String[] {Stage.PARSE, "payload is JSON null"});
    expected.put(15L, new String[] {Stage.PARSE, "malformed JSON"});

    PAssert.that(out.get(ProcessUsers.DEAD_LETTERS))
        .satisfies(
            letters -> {
              Map<Long, DeadLetter> byOffset = byOffset(letters);
              assertThat(byOffset.keySet(), equalTo(expected.keySet()));
              expected.forEach(
                  (offset, stageAndReason) -> {
                    DeadLetter l = byOffset.get(offset);
                    assertThat("stage of offset " + offset, l.stage, equalTo(stageAndReason[0]));
                    assertThat("reason of offset " + offset, l.errorMessage, startsWith(stageAndReason[1]));
                    assertThat(l.errorClass, equalTo(RecordRejectedException.class.getName()));
                    // the original record travels with its letter, byte for byte but for its secrets
                    assertThat(Arrays.equals(l.payload, SecretFields.redact(originals.get(offset))), equalTo(true));
                    assertThat(l.payload == null ? "" : new String(l.payload, UTF_8), not(containsString("addison")));
                    assertThat(new String(l.key, UTF_8), equalTo("key-" + offset));
                    assertThat(l.source, equalTo("users.raw-0@" + offset));
                  });
              return null;
            });
    PAssert.that(out.get(ProcessUsers.PROFILES))
        .satisfies(
            profiles -> {
              List<UUID> ids = new ArrayList<>();
              profiles.forEach(p -> ids.add(p.id));
              assertThat(ids, containsInAnyOrder(UUID.fromString("7a0eed16-9430-4d68-901f-c0d4c1c3bf00")));
              return null;
            });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    // 17 records: 10 rejected by parse, 6 by validation, 1 profile.
    assertThat(counter(result, StreamMetrics.PARSED), equalTo(7L));
    assertThat(counter(result, Stage.PARSE + "_rejected"), equalTo(10L));
    assertThat(counter(result, StreamMetrics.VALID), equalTo(1L));
    assertThat(counter(result, StreamMetrics.INVALID), equalTo(6L));
    assertThat(counter(result, StreamMetrics.PROFILES), equalTo(1L));
  }

  @Test
  public void withTheRegisteredSchemaViolationsAreDeadLetteredByTheSchemaStageNamingThem() {
    PayloadSchema schema = PayloadSchema.of(UserSchema.text(), "users.raw-value v1 (id 1)");
    List<SourceRecord> records =
        List.of(
            record(0, CONTRACT_USER),
            record(1, QUIRKY_USER),
            record(2, CONTRACT_USER.replace("\"age\":30", "\"age\":\"thirty\"")),
            record(3, CONTRACT_USER.replace("\"uuid\":\"7a0eed16-9430-4d68-901f-c0d4c1c3bf00\",", "")),
            record(4, CONTRACT_USER.replace("\"dob\":{\"date\":\"1992-03-08T15:13:16.688Z\",\"age\":30}",
                "\"dob\":\"yesterday\"")),
            record(5, "[1,2,3]"),
            record(6, "{not json"));
    PCollectionTuple out =
        pipeline
            .apply(Create.of(records).withCoder(SourceRecordCoder.of()))
            .apply(ProcessUsers.withMaxPayloadBytes(64 * 1024).withSchema(schema));
    Map<Long, String[]> expected = new HashMap<>();
    expected.put(2L, new String[] {Stage.SCHEMA, "violates users.raw-value v1 (id 1): $.dob.age: string found, integer expected"});
    expected.put(3L, new String[] {Stage.SCHEMA, "violates users.raw-value v1 (id 1): $.login: required property 'uuid' not found"});
    expected.put(4L, new String[] {Stage.SCHEMA, "violates users.raw-value v1 (id 1): $.dob: string found, object expected"});
    expected.put(5L, new String[] {Stage.SCHEMA, "violates users.raw-value v1 (id 1): $: array found, object expected"});
    expected.put(6L, new String[] {Stage.PARSE, "malformed JSON"});
    PAssert.that(out.get(ProcessUsers.DEAD_LETTERS))
        .satisfies(
            letters -> {
              Map<Long, DeadLetter> byOffset = byOffset(letters);
              assertThat(byOffset.keySet(), equalTo(expected.keySet()));
              expected.forEach(
                  (offset, stageAndReason) -> {
                    assertThat("stage of " + offset, byOffset.get(offset).stage, equalTo(stageAndReason[0]));
                    assertThat("reason of " + offset, byOffset.get(offset).errorMessage, startsWith(stageAndReason[1]));
                  });
              return null;
            });
    PAssert.that(out.get(ProcessUsers.PROFILES))
        .satisfies(
            profiles -> {
              assertThat(StreamSupport.stream(profiles.spliterator(), false).count(), equalTo(2L));
              return null;
            });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertThat(counter(result, Stage.SCHEMA + "_rejected"), equalTo(4L));
    assertThat(counter(result, Stage.PARSE + "_rejected"), equalTo(1L));
  }

  /** Dead letters by the Kafka offset of their source record ("topic-partition@offset"). */
  private static Map<Long, DeadLetter> byOffset(Iterable<DeadLetter> letters) {
    Map<Long, DeadLetter> out = new HashMap<>();
    letters.forEach(l -> out.put(Long.parseLong(l.source.substring(l.source.indexOf('@') + 1)), l));
    return out;
  }


  @Test
  public void secretsNeverReachTheProfile() {
    PCollectionTuple out = process(List.of(record(0, CONTRACT_USER)));
    PAssert.that(out.get(ProcessUsers.PROFILES))
        .satisfies(
            profiles -> {
              for (UserProfile p : profiles) {
                String all = p.toString();
                for (String secret : List.of("addison", "sld1yGtd", "c4b3a5f5e4d2e0c2f1a2b3c4d5e6f7a8")) {
                  assertThat(all.contains(secret), equalTo(false));
                }
              }
              return null;
            });
    pipeline.run().waitUntilFinish();

    for (java.lang.reflect.Field f : UserProfile.class.getFields()) {
      assertThat(
          f.getName().toLowerCase(java.util.Locale.ROOT),
          allOf(
              org.hamcrest.Matchers.not(containsString("password")),
              org.hamcrest.Matchers.not(containsString("salt")),
              org.hamcrest.Matchers.not(containsString("md5")),
              org.hamcrest.Matchers.not(containsString("sha"))));
    }
  }

  private static long counter(PipelineResult result, String name) {
    return Counters.committed(result, StreamMetrics.NAMESPACE, name);
  }
}
