package dev.userstream.ingest;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Where the staging table lives and how to log in. The password comes from a file (the stack writes
 * one with mode 600), never from the command line, where every user of the machine could read it.
 */
public final class PostgresEndpoint implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern QUALIFIED_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  private final String url;
  private final String user;
  private final String password;
  private final String table;

  private PostgresEndpoint(String url, String user, String password, String table) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.table = table;
  }

  /**
   * @param url a {@code jdbc:postgresql://} URL; {@code reWriteBatchedInserts=true} is added when
   *     absent, which turns a batch of inserts into multi-row statements (several times faster)
   * @param table the staging table, {@code schema.table}, checked to be a plain SQL name
   */
  public static PostgresEndpoint of(String url, String user, Path passwordFile, String table) {
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("postgresUrl must be a jdbc:postgresql:// URL, was " + url);
    }
    if (table == null || !QUALIFIED_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("stagingTable must be a plain name like staging.raw_users, was " + table);
    }
    String password;
    try {
      password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the PostgreSQL password from " + passwordFile.toAbsolutePath()
              + " (" + e + "); pass --postgresPasswordFile, or start the local stack (make up)", e);
    }
    String rewritten = url.contains("reWriteBatchedInserts")
        ? url : url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    return new PostgresEndpoint(rewritten, user, password, table);
  }

  public String table() {
    return table;
  }

  /** A pooled data source per JVM and configuration, as JdbcIO's readers and writers share it. */
  SerializableFunction<Void, DataSource> dataSource() {
    return JdbcIO.PoolableDataSourceProvider.of(
        JdbcIO.DataSourceConfiguration.create("org.postgresql.Driver", url)
            .withUsername(user)
            .withPassword(password)
            // logServerErrorDetail=false: a failed batch's error would otherwise quote every row
            // of the batch, the API's secrets included, into the job's log.
            .withConnectionProperties("ApplicationName=userstream-ingest;logServerErrorDetail=false"));
  }

  @Override
  public String toString() {
    return url + " as " + user + ", table " + table;
  }
}
