package dev.userstream.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertThrows;

import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.model.Coders.UserProfileCoder;
import dev.userstream.model.DeadLetter;
import dev.userstream.model.SourceRecord;
import dev.userstream.model.UserProfile;
import dev.userstream.stream.Outcome.OutcomeCoder;
import dev.userstream.testing.Counters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link StoreOutcomes} on the DirectRunner with {@link FakeStoreClients}: every profile is
 * upserted and every dead letter committed once, a partition's offset is committed only after
 * every upsert before it is acknowledged, failures are retried within the budget, and past it the
 * bundle fails with nothing of it committed.
 */
@RunWith(JUnit4.class)
public class StoreOutcomesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create().enableAbandonedNodeEnforcement(false);

  private static final String TOPIC = "users.raw";

  @Test
  public void everyOutcomeIsStoredOnceAndABundlesOffsetsAreCommittedOnlyAfterItsUpserts() throws InterruptedException {
    FakeStoreClients.Journal journal = new FakeStoreClients.Journal();
    List<Outcome<UserProfile>> outcomes = new ArrayList<>();
    List<DeadLetter> letters = new ArrayList<>();
    for (long offset = 0; offset < 40; offset++) {
      outcomes.add(offset % 7 == 3 ? rejected(0, offset, letters) : profile(0, offset));
    }
    for (long offset = 100; offset < 120; offset++) {
      outcomes.add(profile(1, offset));
    }

    PipelineResult result = run(outcomes, StoreOutcomes.through(FakeStoreClients.factory("all-stored", journal)));

    assertThat(counter(result, StreamMetrics.WRITTEN), equalTo(40L + 20L - letters.size()));
    assertThat(counter(result, StreamMetrics.DEAD_LETTERED), equalTo((long) letters.size()));
    assertThat("each dead letter committed once", journal.committedLetters, containsInAnyOrder(letters.toArray()));
    for (Outcome<UserProfile> o : outcomes) {
      if (!o.isRejected()) {
        assertThat("upserts of " + o.value.id, journal.upsertAttempts.get(o.value.id).get(), equalTo(1));
      }
    }
    assertCommittedOnlyAfterTheirUpserts(journal);
    assertThat(lastCommitted(journal, 0), equalTo(40L));
    assertThat(lastCommitted(journal, 1), equalTo(120L));
    // The DirectRunner may report the run done a moment before it has torn every DoFn down.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (journal.closed.get() != journal.opened.get() && System.nanoTime() < deadline) {
      // Polls (yields the core) rather than spins: on a busy machine a spin starves the teardown.
      Thread.sleep(10);
    }
    assertThat("every client opened is closed", journal.closed.get(), equalTo(journal.opened.get()));
  }

  @Test
  public void aFailedUpsertIsRetriedAndItsPartitionCommitsOnlyOnceItHasLanded() {
    List<Outcome<UserProfile>> outcomes = new ArrayList<>();
    for (long offset = 0; offset < 10; offset++) {
      outcomes.add(profile(0, offset));
    }
    UUID refused = outcomes.get(4).value.id;
    FakeStoreClients.Journal journal = new FakeStoreClients.Journal().failUpserts(refused, 2);

    PipelineResult result = run(outcomes, StoreOutcomes.through(FakeStoreClients.factory("upsert-retried", journal)));

    assertThat(journal.upsertAttempts.get(refused).get(), equalTo(3));
    assertThat(counter(result, StreamMetrics.WRITTEN), equalTo(10L));
    assertCommittedOnlyAfterTheirUpserts(journal);
    assertThat(lastCommitted(journal, 0), equalTo(10L));
  }

  @Test
  public void aFailedCommitIsRetriedAndItsDeadLettersAreCountedOnce() {
    List<DeadLetter> letters = new ArrayList<>();
    List<Outcome<UserProfile>> outcomes = List.of(profile(0, 0), rejected(0, 1, letters), profile(0, 2));
    FakeStoreClients.Journal journal = new FakeStoreClients.Journal().failCommits(2);

    PipelineResult result = run(outcomes, StoreOutcomes.through(FakeStoreClients.factory("commit-retried", journal)));

    assertThat(journal.commitAttempts.get(), greaterThan(2));
    assertThat(journal.committedLetters, equalTo(letters));
    assertThat(counter(result, StreamMetrics.DEAD_LETTERED), equalTo(1L));
    assertThat(lastCommitted(journal, 0), equalTo(3L));
  }

  @Test
  public void anUpsertThatKeepsFailingFailsTheBundleWithNothingOfItCommitted() {
    List<Outcome<UserProfile>> outcomes = List.of(profile(0, 0), profile(1, 7));
    UUID refused = outcomes.get(0).value.id;
    FakeStoreClients.Journal journal = new FakeStoreClients.Journal().failUpserts(refused, Integer.MAX_VALUE);

    PipelineExecutionException e = assertThrows(PipelineExecutionException.class,
        () -> run(outcomes, StoreOutcomes.through(FakeStoreClients.factory("upsert-failing", journal))
            .withRetrySeconds(0)));

    assertThat(e.getMessage(), containsString("kept failing for the whole retry budget"));
    assertThat(e.getMessage(), containsString(refused.toString()));
    assertThat("partition 0 committed though its record was not stored", lastCommitted(journal, 0), equalTo(-1L));
  }

  @Test
  public void unacknowledgedUpsertsAreBoundedByMaxInFlight() {
    List<Outcome<UserProfile>> outcomes = new ArrayList<>();
    for (long offset = 0; offset < 50; offset++) {
      outcomes.add(profile(0, offset));
    }
    FakeStoreClients.Journal journal = new FakeStoreClients.Journal();

    run(outcomes, StoreOutcomes.through(FakeStoreClients.factory("bounded", journal))
        .withMaxInFlight(3));

    assertThat(journal.maxInFlight.get(), lessThanOrEqualTo(3));
    assertThat(lastCommitted(journal, 0), equalTo(50L));
  }

  @Test
  public void upsertsSentInGroupsKeepTheBoundAndEveryGuarantee() {
    List<Outcome<UserProfile>> outcomes = new ArrayList<>();
    List<DeadLetter> letters = new ArrayList<>();
    for (long offset = 0; offset < 95; offset++) {
      outcomes.add(offset % 9 == 4 ? rejected(0, offset, letters) : profile(0, offset));
    }
    FakeStoreClients.Journal journal = new FakeStoreClients.Journal();

    run(outcomes, StoreOutcomes.through(FakeStoreClients.factory("grouped", journal))
        .withSendGroup(8).withMaxInFlight(5));

    assertThat(journal.maxInFlight.get(), lessThanOrEqualTo(5));
    for (Outcome<UserProfile> o : outcomes) {
      if (!o.isRejected()) {
        // A group's tail (fewer than 8 at the bundle's end) is sent too, once.
        assertThat("upserts of " + o.value.id, journal.upsertAttempts.get(o.value.id).get(), equalTo(1));
      }
    }
    assertThat("each dead letter committed once", journal.committedLetters, containsInAnyOrder(letters.toArray()));
    assertCommittedOnlyAfterTheirUpserts(journal);
    assertThat(lastCommitted(journal, 0), equalTo(95L));
  }

  @Test
  public void settingsAreCheckedWhenThePipelineIsBuilt() {
    CassandraEndpoint cassandra = new CassandraEndpoint("127.0.0.1:9042", "userstream", "LOCAL_QUORUM");
    assertThrows(IllegalArgumentException.class,
        () -> StoreOutcomes.to(cassandra, "users; DROP", "k:9092", "users.dlq", "group"));
    assertThrows(IllegalArgumentException.class, () -> StoreOutcomes.to(cassandra, "users", " ", "users.dlq", "group"));
    assertThrows(IllegalArgumentException.class, () -> StoreOutcomes.to(cassandra, "users", "k:9092", "", "group"));
    StoreOutcomes store = StoreOutcomes.to(cassandra, "users", "k:9092", "users.dlq", "group");
    assertThrows(IllegalArgumentException.class, () -> store.withMaxInFlight(0));
    assertThrows(IllegalArgumentException.class, () -> store.withSendGroup(0));
    assertThrows(IllegalArgumentException.class, () -> store.withRetrySeconds(-1));
  }

  private PipelineResult run(List<Outcome<UserProfile>> outcomes, StoreOutcomes store) {
    pipeline
        .apply(Create.of(outcomes).withCoder(OutcomeCoder.of(UserProfileCoder.of())))
        .apply("StoreOutcomes", store);
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  /**
   * At each commit, every upsert the same DoFn instance had started was acknowledged: a bundle's
   * offsets commit only after its writes. (Per instance, not per partition: the DirectRunner may
   * run a partition's bundles side by side, the Spark runner does not.)
   */
  private static void assertCommittedOnlyAfterTheirUpserts(FakeStoreClients.Journal journal) {
    List<String> events = journal.snapshot();
    assertThat("no commit happened", journal.commits(), not(empty()));
    Map<String, Set<String>> unacknowledged = new HashMap<>();
    for (String event : events) {
      String[] f = event.split(" ");
      Set<String> open = unacknowledged.computeIfAbsent(f[1], i -> new HashSet<>());
      switch (f[0]) {
        case "upsert" -> open.add(f[2]);
        case "ack" -> open.remove(f[2]);
        case "commit" -> assertThat("'" + event + "' while these upserts were unacknowledged", open, empty());
        default -> throw new AssertionError(event);
      }
    }
  }

  private static long lastCommitted(FakeStoreClients.Journal journal, int partition) {
    Map<Integer, Long> last = new HashMap<>();
    for (String commit : journal.commits()) {
      if (commit.split(" ")[2].equals(TOPIC + "-" + partition)) {
        last.merge(partition, offsetOf(commit), Math::max);
      }
    }
    return last.getOrDefault(partition, -1L);
  }

  private static long offsetOf(String commit) {
    return Long.parseLong(commit.substring(commit.lastIndexOf(' ') + 1));
  }

  private static SourceRecord record(int partition, long offset) {
    return new SourceRecord(("key-" + offset).getBytes(UTF_8), "{}".getBytes(UTF_8), TOPIC, partition, offset, 0);
  }

  private static Outcome<UserProfile> profile(int partition, long offset) {
    UserProfile p = UserProfile.builder().id(new UUID(partition, offset)).ingestedAt(Instant.EPOCH).build();
    return Outcome.of(record(partition, offset)).withValue(p);
  }

  private static Outcome<UserProfile> rejected(int partition, long offset, List<DeadLetter> letters) {
    SourceRecord r = record(partition, offset);
    DeadLetter letter = DeadLetter.of(r, Stage.VALIDATE, new IllegalArgumentException("bad"), 0);
    letters.add(letter);
    return Outcome.of(r).rejectedAs(letter);
  }

  private static long counter(PipelineResult result, String name) {
    return Counters.committed(result, StreamMetrics.NAMESPACE, name);
  }
}
