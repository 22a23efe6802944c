package dev.userstream.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the PostgreSQL staging table is, and how to log in. */
public interface PostgresOptions extends PipelineOptions {
  @Description("PostgreSQL JDBC URL (reWriteBatchedInserts=true is added when missing)")
  @Default.String("jdbc:postgresql://127.0.0.1:15432/userstream")
  String getPostgresUrl();

  void setPostgresUrl(String value);

  @Description("PostgreSQL user")
  @Default.String("userstream")
  String getPostgresUser();

  void setPostgresUser(String value);

  @Description("File holding the PostgreSQL password (never the password itself: command lines are visible to every"
      + " user); default $USERSTREAM_POSTGRES_PASSWORD_FILE, else .userstream/secrets/postgres.password (written by"
      + " the local stack)")
  @Default.InstanceFactory(PasswordFileFactory.class)
  String getPostgresPasswordFile();

  void setPostgresPasswordFile(String value);

  @Description("Staging table (infra/postgres/schema.sql creates staging.raw_users)")
  @Default.String("staging.raw_users")
  String getStagingTable();

  void setStagingTable(String value);

  /** The environment's password file, as infra/stack.py env exports it, or the stack's default. */
  class PasswordFileFactory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      String fromEnv = System.getenv("USERSTREAM_POSTGRES_PASSWORD_FILE");
      return fromEnv == null || fromEnv.isBlank() ? ".userstream/secrets/postgres.password" : fromEnv;
    }
  }
}
