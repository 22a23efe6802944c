package dev.userstream.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertThrows;

import dev.userstream.testing.Counters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link StageUsers} on the DirectRunner against {@link FakeStagingTable}: every user is bound
 * into the insert as it should be, in batches of at most the batch size, and the counters tell
 * this run's new rows from the ones an earlier run had staged.
 */
@RunWith(JUnit4.class)
public class StageUsersTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private static final long FETCHED_AT = StagedUser.micros(Instant.parse("2026-12-06T10:15:30.123456Z"));

  @Test
  public void everyUserIsStagedWithItsSeedPageAndFetchTimeInBatches() throws IOException {
    FakeStagingTable table = new FakeStagingTable();
    List<StagedUser> users = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      users.add(user(1, i));
    }
    for (int i = 0; i < 5; i++) {
      users.add(user(2, i));
    }

    PipelineResult result = stage(users, List.of(page(1, 7), page(2, 5)), table, "all-new", 3);

    assertThat(table.rows.size(), equalTo(12));
    for (StagedUser u : users) {
      FakeStagingTable.Row row = table.rows.get(UUID.fromString(u.uuid()));
      assertThat(new String(row.payload(), UTF_8), equalTo(new String(u.payload(), UTF_8)));
      assertThat(row.seed(), equalTo("seed"));
      assertThat(row.page(), equalTo(u.page()));
      assertThat(row.fetchedAt().toInstant(), equalTo(Instant.parse("2026-12-06T10:15:30.123456Z")));
    }
    // JdbcIO (2.62) cuts a bounded input's batch once it holds more than the batch size, so a
    // batch has at most batchSize + 1 rows; bundle ends cut smaller ones.
    assertThat(table.batchSizes, everyItem(lessThanOrEqualTo(3 + 1)));
    assertThat("12 rows in batches of about 3", table.batchSizes.size(), greaterThanOrEqualTo(3));
    assertThat(table.batchSizes.stream().mapToInt(Integer::intValue).sum(), equalTo(12));
    assertThat(counter(result, IngestMetrics.STAGED), equalTo(12L));
    assertThat(counter(result, IngestMetrics.ALREADY_STAGED), equalTo(0L));
  }

  @Test
  public void usersAnEarlierRunStagedAreKeptAndCountedAsAlreadyStaged() throws IOException {
    FakeStagingTable table = new FakeStagingTable();
    List<StagedUser> users = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      users.add(user(1, i));
    }
    // An earlier run (another fetch time) staged two of them, with its own payload.
    for (int i = 0; i < 2; i++) {
      StagedUser earlier = users.get(i);
      table.rows.put(UUID.fromString(earlier.uuid()), new FakeStagingTable.Row(UUID.fromString(earlier.uuid()),
          "earlier".getBytes(UTF_8), "seed", 1, StagedUser.timestamp(FETCHED_AT - 60_000_000)));
    }

    PipelineResult result = stage(users, List.of(page(1, 6)), table, "partly-staged", 100);

    assertThat(table.rows.size(), equalTo(6));
    assertThat("the earlier row is not overwritten",
        new String(table.rows.get(UUID.fromString(users.get(0).uuid())).payload(), UTF_8), equalTo("earlier"));
    assertThat(counter(result, IngestMetrics.STAGED), equalTo(4L));
    assertThat(counter(result, IngestMetrics.ALREADY_STAGED), equalTo(2L));
  }

  @Test
  public void aBatchSizeBelowOneIsRefused() throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageUsers.into(endpoint(), 0));
    assertThat(e.getMessage(), equalTo("stageBatchSize must be >= 1, was 0"));
  }

  private PipelineResult stage(List<StagedUser> users, List<PageSummary> pages, FakeStagingTable table, String name,
      int batchSize) throws IOException {
    PCollectionTuple fetched = PCollectionTuple
        .of(FetchPages.USERS, pipeline.apply("Users", Create.of(users).withCoder(StagedUser.Coder.INSTANCE)))
        .and(FetchPages.PAGES, pipeline.apply("Pages", Create.of(pages).withCoder(SerializableCoder.of(PageSummary.class))));
    fetched.apply("StageUsers", StageUsers.into(endpoint(), batchSize)
        .withDataSourceProviderFn(FakeStagingTable.dataSource(name, table)));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  private PostgresEndpoint endpoint() throws IOException {
    Path password = folder.getRoot().toPath().resolve("postgres-password");
    Files.writeString(password, "not-used");
    return PostgresEndpoint.of("jdbc:postgresql://127.0.0.1:1/userstream", "userstream", password, "staging.raw_users");
  }

  private static StagedUser user(int page, int index) {
    String uuid = new UUID(page, index).toString();
    return new StagedUser(uuid, ("{\"login\":{\"uuid\":\"" + uuid + "\"}}").getBytes(UTF_8), "seed", page, FETCHED_AT);
  }

  private static PageSummary page(int page, int users) {
    return new PageSummary("seed", page, users, FETCHED_AT);
  }

  private static long counter(PipelineResult result, String name) {
    return Counters.committed(result, IngestMetrics.NAMESPACE, name);
  }
}
