package dev.userstream.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Stages fetched users in PostgreSQL with JdbcIO, in batches of {@code batchSize}:
 * {@code INSERT ... ON CONFLICT (user_uuid) DO NOTHING}, keeping the raw JSON as jsonb with seed,
 * page and fetch time, so staging a user twice changes nothing. Then counts, per page, how many
 * rows this run inserted ({@code staged}) and how many keys were there already
 * ({@code already_staged}). Its output is empty and only says "staging is complete".
 */
public final class StageUsers extends PTransform<PCollectionTuple, PCollection<Void>> {
  private static final long serialVersionUID = 1L;

  private final PostgresEndpoint postgres;
  private final SerializableFunction<Void, DataSource> dataSource;
  private final int batchSize;

  private StageUsers(PostgresEndpoint postgres, SerializableFunction<Void, DataSource> dataSource, int batchSize) {
    this.postgres = postgres;
    this.dataSource = dataSource;
    this.batchSize = batchSize;
  }

  /** Takes {@link FetchPages}' output: its users and its page summaries. */
  static StageUsers into(PostgresEndpoint postgres, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("stageBatchSize must be >= 1, was " + batchSize);
    }
    return new StageUsers(postgres, postgres.dataSource(), batchSize);
  }

  /** Connects through another data source (a fake, in unit tests); the table stays the endpoint's. */
  StageUsers withDataSourceProviderFn(SerializableFunction<Void, DataSource> dataSource) {
    return new StageUsers(postgres, dataSource, batchSize);
  }

  @Override
  public PCollection<Void> expand(PCollectionTuple fetched) {
    PCollection<Void> inserted =
        fetched
            .get(FetchPages.USERS)
            .apply(
                "InsertRawUsers",
                JdbcIO.<StagedUser>write()
                    .withDataSourceProviderFn(dataSource)
                    .withStatement(
                        "INSERT INTO " + postgres.table() + " (user_uuid, payload, seed, page, fetched_at)"
                            // The payload goes as bytes; the server decodes it (cheaper than Java).
                            + " VALUES (?, convert_from(?, 'UTF8')::jsonb, ?, ?, ?) ON CONFLICT (user_uuid) DO NOTHING")
                    .withBatchSize(batchSize)
                    .withPreparedStatementSetter(
                        (user, ps) -> {
                          ps.setObject(1, UUID.fromString(user.uuid()));
                          ps.setBytes(2, user.payload());
                          ps.setString(3, user.seed());
                          ps.setInt(4, user.page());
                          ps.setObject(5, user.fetchedAt(), Types.TIMESTAMP_WITH_TIMEZONE);
                        })
                    .withResults());
    return fetched
        .get(FetchPages.PAGES)
        .apply("AfterInsert", Wait.on(inserted))
        .apply("CountStaged", ParDo.of(new CountStagedFn(postgres.table(), dataSource)));
  }

  /**
   * This run's rows of a page are those with the page's fetch time (microsecond precision, one
   * fetch per page and run); they are still unpublished, so the partial index finds them.
   */
  static final class CountStagedFn extends DoFn<PageSummary, Void> {
    private static final long serialVersionUID = 1L;
    private final String table;
    private final SerializableFunction<Void, DataSource> dataSourceFn;
    private final Counter staged = Metrics.counter(IngestMetrics.NAMESPACE, IngestMetrics.STAGED);
    private final Counter alreadyStaged = Metrics.counter(IngestMetrics.NAMESPACE, IngestMetrics.ALREADY_STAGED);
    private transient DataSource dataSource;

    CountStagedFn(String table, SerializableFunction<Void, DataSource> dataSourceFn) {
      this.table = table;
      this.dataSourceFn = dataSourceFn;
    }

    @Setup
    public void setup() {
      dataSource = dataSourceFn.apply(null);
    }

    @ProcessElement
    public void process(@Element PageSummary page) throws Exception {
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*) FROM " + table
                      + " WHERE published_at IS NULL AND fetched_at = ? AND seed = ? AND page = ?")) {
        ps.setObject(1, StagedUser.timestamp(page.fetchedAtMicros()), Types.TIMESTAMP_WITH_TIMEZONE);
        ps.setString(2, page.seed());
        ps.setInt(3, page.page());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          long inserted = rs.getLong(1);
          staged.inc(inserted);
          alreadyStaged.inc(page.users() - inserted);
        }
      }
    }
  }
}
