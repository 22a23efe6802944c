package dev.userstream.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userstream.emulator.SampleUsers;
import dev.userstream.model.Json;
import dev.userstream.model.SecretFields;
import dev.userstream.schema.UserSchema;
import dev.userstream.stream.StreamPipelineOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The integration scenario every runner must pass: good users with poison payloads mixed in go
 * through; exactly the good ones are in Cassandra (checked field by field for a sample), each bad
 * one is in the dead-letter topic with its stage and reason, and the group's lag ends at 0.
 */
public final class StreamScenario {
  public static final String SEED = "it";
  public final LocalStack stack;
  public final int goodUsers;
  public final List<byte[]> poison = SampleUsers.poisonPayloads();
  public StreamScenario(LocalStack stack, int goodUsers) {
    this.stack = stack;
    this.goodUsers = goodUsers;
  }

  /** Good users and poison payloads, interleaved, keyed like the ingestion pipeline keys them. */
  public List<byte[][]> records() {
    List<byte[][]> out = new ArrayList<>();
    int every = Math.max(1, goodUsers / poison.size());
    int nextPoison = 0;
    for (int i = 0; i < goodUsers; i++) {
      SampleUsers.SampleUser user = SampleUsers.user(SEED, i);
      out.add(new byte[][] {user.uuid().getBytes(UTF_8), user.json()});
      if (i % every == every - 1 && nextPoison < poison.size()) {
        out.add(new byte[][] {("poison-" + nextPoison).getBytes(UTF_8), poison.get(nextPoison++)});
      }
    }
    while (nextPoison < poison.size()) {
      out.add(new byte[][] {("poison-" + nextPoison).getBytes(UTF_8), poison.get(nextPoison++)});
    }
    return out;
  }

  /** Options pointing at this test's topics and keyspace, for consumer group {@code group}. */
  public StreamPipelineOptions options(String group) {
    StreamPipelineOptions options = PipelineOptionsFactory.create().as(StreamPipelineOptions.class);
    options.setKafkaBootstrapServers(LocalStack.KAFKA);
    options.setInputTopic(stack.inputTopic);
    options.setDeadLetterTopic(stack.deadLetterTopic);
    options.setConsumerGroup(group);
    options.setCassandraHosts(LocalStack.CASSANDRA);
    options.setCassandraKeyspace(stack.keyspace);
    return options;
  }

  /** The same settings as command-line arguments, for a job run from the bundled jar. */
  public List<String> arguments() {
    return List.of(
        "--kafkaBootstrapServers=" + LocalStack.KAFKA,
        "--inputTopic=" + stack.inputTopic,
        "--deadLetterTopic=" + stack.deadLetterTopic,
        "--consumerGroup=" + stack.consumerGroup,
        "--cassandraHosts=" + LocalStack.CASSANDRA,
        "--cassandraKeyspace=" + stack.keyspace,
        "--schemaRegistryUrl=" + LocalStack.SCHEMA_REGISTRY);
  }

  /** Waits until every good user is stored, every poison payload dead-lettered and the lag is 0. */
  public void awaitDrained(Duration timeout, String group, int deadLetterCopies) throws InterruptedException {
    awaitDrained(timeout, group, deadLetterCopies, () -> true);
  }

  /** As above, failing at once when {@code jobAlive} says the job has died. */
  public void awaitDrained(Duration timeout, String group, int deadLetterCopies, BooleanSupplier jobAlive)
      throws InterruptedException {
    LocalStack.await(
        timeout,
        () -> {
          try {
            return stack.rowCount() + " of " + goodUsers + " rows, "
                + stack.deadLetterCount() + " of " + poison.size() * deadLetterCopies
                + " dead letters, lag " + stack.lag(group);
          } catch (Exception e) {
            return e.toString();
          }
        },
        LocalStack.unchecked(
            () -> requireAlive(jobAlive) && stack.rowCount() >= goodUsers
                && stack.deadLetterCount() >= (long) poison.size() * deadLetterCopies
                && stack.lag(group) == 0));
  }

  private static boolean requireAlive(BooleanSupplier jobAlive) {
    if (!jobAlive.getAsBoolean()) {
      throw new AssertionError("the job exited before it was done; see its log");
    }
    return true;
  }

  /** Starts the job for a consumer group; returns what stops it. */
  public interface Job {
    AutoCloseable start(String consumerGroup) throws Exception;
  }

  /**
   * The whole scenario on one runner: produce, run until drained, check the outcome; then replay
   * every record through a second consumer group and check that no row changed (the dead letters
   * are written again: each consumer group writes its own).
   */
  public void runAndReplay(Job job, Duration timeout) throws Exception {
    stack.produce(records());
    try (AutoCloseable running = job.start(stack.consumerGroup)) {
      awaitDrained(timeout, stack.consumerGroup, 1);
    }
    assertOutcome(1);
    Map<UUID, Map<String, Object>> before = stack.rows();

    String replayGroup = stack.consumerGroup + "-replay";
    try (AutoCloseable running = job.start(replayGroup)) {
      awaitDrained(timeout, replayGroup, 2);
    }
    assertThat("a replay changes no row", stack.rows(), equalTo(before));
    assertOutcome(2);
  }

  /**
   * Exactly the good users are stored, with the right fields; each bad one is a dead letter with
   * its reason, {@code deadLetterCopies} times (0: at least once).
   */
  public void assertOutcome(int deadLetterCopies) throws Exception {
    Map<UUID, Map<String, Object>> rows = stack.rows();
    assertThat("exactly the good users are stored", rows.keySet(), equalTo(expectedIds()));
    for (int i : new int[] {0, 1, 7, goodUsers / 2, goodUsers - 1}) {
      SampleUsers.SampleUser user = SampleUsers.user(SEED, i);
      Map<String, Object> row = rows.get(UUID.fromString(user.uuid()));
      assertRowMatchesUser(row, user.json());
      assertHoldsNoSecretOf(row.values().toString(), user.json());
    }

    List<LocalStack.ReadLetter> letters = stack.deadLetters();
    if (deadLetterCopies > 0) {
      assertThat("dead letters", letters.size(), equalTo(poison.size() * deadLetterCopies));
    }
    Set<String> payloads = new HashSet<>();
    for (LocalStack.ReadLetter l : letters) {
      payloads.add(java.util.Base64.getEncoder().encodeToString(l.value == null ? new byte[0] : l.value));
      assertThat(l.toString(), l.stage() != null && !l.reason().isBlank(), is(true));
      assertThat(l.headers.get("userstream.failed_at") != null, is(true));
    }
    for (byte[] p : poison) {
      assertThat("each poison payload is dead-lettered, unchanged but for its secrets", payloads,
          hasItem(java.util.Base64.getEncoder().encodeToString(SecretFields.redact(p))));
    }
    assertNoSecrets(letters);
    Set<String> reasons = new HashSet<>();
    letters.forEach(l -> reasons.add(l.stage() + ": " + l.reason().split(":")[0]));
    // The user without login.uuid breaks the registered schema.
    String schemaReason = "schema: violates " + UserSchema.subjectOf(stack.inputTopic) + " v1 (id ";
    assertThat(reasons.toString(), reasons.stream().anyMatch(r -> r.startsWith(schemaReason)), is(true));
    assertThat(reasons, hasItem("parse: malformed JSON at line 1, column 3"));
  }

  /** The ids of the good users, as Cassandra should hold them. */
  public Set<UUID> expectedIds() {
    Set<UUID> ids = new HashSet<>();
    for (int i = 0; i < goodUsers; i++) {
      ids.add(UUID.fromString(SampleUsers.uuid(SEED, i)));
    }
    return ids;
  }

  private static final java.util.regex.Pattern SECRET_PAIR =
      java.util.regex.Pattern.compile("\"(password|salt|md5|sha1|sha256)\"\\s*:\\s*(\"[^\"]{0,12})?");

  /**
   * No dead letter holds a secret value: every secret field it still has reads "[redacted]", and
   * none of the poison users' salts, hashes or passwords appears anywhere in it.
   */
  private void assertNoSecrets(List<LocalStack.ReadLetter> letters) throws Exception {
    for (LocalStack.ReadLetter l : letters) {
      String text = new String(l.value == null ? new byte[0] : l.value, StandardCharsets.UTF_8)
          + " " + l.headers.values();
      java.util.regex.Matcher m = SECRET_PAIR.matcher(text);
      while (m.find()) {
        assertThat("a dead letter holds a secret: " + l, m.group(2), equalTo("\"" + SecretFields.REDACTED));
      }
      for (byte[] p : poison) {
        if (p.length < SampleUsers.BLOB_BYTES && p.length > 100) {
          assertHoldsNoSecretOf(text, p);
        }
      }
    }
  }

  /**
   * {@code text} holds none of the salt and hashes of the user in {@code json}. (Its password, a
   * common word, may well appear in other fields: rows have no column for it, and the secret fields
   * of dead letters are checked to read "[redacted]".)
   */
  private static void assertHoldsNoSecretOf(String text, byte[] json) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("\"(salt|md5|sha1|sha256)\":\"([^\"]+)\"").matcher(new String(json, UTF_8));
    while (m.find()) {
      assertThat("holds the " + m.group(1) + " of a user: " + text, text, not(containsString(m.group(2))));
    }
  }

  /** A stored row against the JSON it came from. */
  public static void assertRowMatchesUser(Map<String, Object> row, byte[] json) throws Exception {
    JsonNode u = Json.MAPPER.readTree(json);
    assertThat(row.get("first_name"), equalTo(u.at("/name/first").asText()));
    assertThat(row.get("last_name"), equalTo(u.at("/name/last").asText()));
    assertThat(row.get("title"), equalTo(u.at("/name/title").asText()));
    assertThat(row.get("gender"), equalTo(u.at("/gender").asText()));
    assertThat(row.get("street"),
        equalTo(u.at("/location/street/number").asText() + " " + u.at("/location/street/name").asText()));
    assertThat(row.get("city"), equalTo(u.at("/location/city").asText()));
    assertThat(row.get("postcode"), equalTo(u.at("/location/postcode").asText()));
    assertThat(row.get("latitude"), equalTo(Double.parseDouble(u.at("/location/coordinates/latitude").asText())));
    assertThat(row.get("longitude"), equalTo(Double.parseDouble(u.at("/location/coordinates/longitude").asText())));
    assertThat(row.get("timezone_offset"), equalTo(u.at("/location/timezone/offset").asText()));
    assertThat(row.get("email"), equalTo(u.at("/email").asText()));
    assertThat(row.get("username"), equalTo(u.at("/login/username").asText()));
    assertThat(row.get("dob"), equalTo(Instant.parse(u.at("/dob/date").asText())));
    assertThat(row.get("age"), equalTo(u.at("/dob/age").asInt()));
    assertThat(row.get("registered_at"), equalTo(Instant.parse(u.at("/registered/date").asText())));
    assertThat(row.get("phone"), equalTo(u.at("/phone").asText()));
    assertThat(row.get("cell"), equalTo(u.at("/cell").asText()));
    assertThat(row.get("picture_url"), equalTo(u.at("/picture/large").asText()));
    assertThat(row.get("nat"), equalTo(u.at("/nat").asText()));
    assertThat(row.get("ingested_at") != null, is(true));
    assertThat(row.get("password"), nullValue());
    for (String column : row.keySet()) {
      assertThat(column, LocalStack.lower(column).matches(".*(password|salt|md5|sha1|sha256).*"), is(false));
    }
  }
}
