package dev.userstream.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

/**
 * A staging table of its own for one test, shaped like staging.raw_users (created from it, indexes
 * included), in the local stack's PostgreSQL; dropped on close. Fails, never skips, when PostgreSQL
 * is down.
 */
public final class StagingTable implements AutoCloseable {
  public static final String URL = env("USERSTREAM_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:15432/userstream");
  public static final String USER = env("USERSTREAM_POSTGRES_USER", "userstream");
  public static final Path PASSWORD_FILE = passwordFile();

  public final String name = "staging.it_" + UUID.randomUUID().toString().substring(0, 8);
  private final Properties login = new Properties();

  /** A connection per call: a test that restarts PostgreSQL must not be left with a dead one. */
  public StagingTable() throws Exception {
    login.put("user", USER);
    try {
      login.put("password", Files.readString(PASSWORD_FILE, StandardCharsets.UTF_8).strip());
      DriverManager.getConnection(URL, login).close();
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL is not reachable at " + URL + " with the password in "
          + PASSWORD_FILE + ": start the local stack first (python3 infra/stack.py up, or make test)", e);
    }
    execute("CREATE TABLE " + name + " (LIKE staging.raw_users INCLUDING ALL)");
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** The stack's password file: from the environment, else .userstream/ in the nearest checkout. */
  private static Path passwordFile() {
    String fromEnv = System.getenv("USERSTREAM_POSTGRES_PASSWORD_FILE");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(".userstream/secrets/postgres.password");
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    return Path.of(".userstream/secrets/postgres.password");
  }

  public void execute(String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(URL, login);
        Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  public long count(String where) throws Exception {
    try (Connection connection = DriverManager.getConnection(URL, login);
        Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + name + (where.isEmpty() ? "" : " WHERE " + where))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  public long rows() throws Exception {
    return count("");
  }

  /**
   * The row count once it has stopped changing (the same in three reads half a second apart,
   * within a minute): a DirectRunner run that failed has already thrown from waitUntilFinish while
   * bundles it had started, a staging write among them, still run to their end.
   */
  public long rowsOnceSettled() throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    long last = rows();
    for (int same = 0; same < 3; ) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("rows of " + name + " still changing after a minute (last " + last + ")");
      }
      Thread.sleep(500);
      long now = rows();
      same = now == last ? same + 1 : 0;
      last = now;
    }
    return last;
  }

  public long unpublished() throws Exception {
    return count("published_at IS NULL");
  }

  /** The keys of the rows that match {@code where} (all rows when empty). */
  public Set<String> keys(String where) throws Exception {
    Set<String> out = new HashSet<>();
    try (Connection connection = DriverManager.getConnection(URL, login);
        Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT user_uuid::text FROM " + name + (where.isEmpty() ? "" : " WHERE " + where))) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    execute("DROP TABLE IF EXISTS " + name);
  }
}
