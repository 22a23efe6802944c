package dev.userstream.profiles;

import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Where the API listens, what it reads, and its limits, from its {@link Options}. */
record ApiSettings(
    String host,
    int port,
    CassandraEndpoint cassandra,
    String table,
    int defaultLimit,
    int maxLimit,
    String cursorKeyFile,
    int threads) {

  /** The API's options: Cassandra's are the pipelines' own (same names and defaults); {@code --help} lists them. */
  public interface Options extends CassandraOptions {
    @Description("Address to listen on")
    @Default.String("127.0.0.1")
    String getHost();

    void setHost(String value);

    @Description("Port to listen on (the local stack's: 18095)")
    @Default.Integer(18095)
    int getPort();

    void setPort(int value);

    @Description("Profiles in a page when the request gives no limit")
    @Default.Integer(20)
    int getDefaultLimit();

    void setDefaultLimit(int value);

    @Description("Most profiles a page may hold: a larger limit is refused with a 400")
    @Default.Integer(100)
    int getMaxLimit();

    void setMaxLimit(int value);

    @Description("File holding the key cursors are signed with, so that they outlive a restart and a forged one is"
        + " refused (the local stack writes one). Empty: a random key per process")
    @Default.String("")
    String getCursorKeyFile();

    void setCursorKeyFile(String value);

    @Description("Threads serving requests (each waits on Cassandra for one request at a time)")
    @Default.Integer(16)
    int getThreads();

    void setThreads(int value);
  }

  /** The settings {@code args} give; with {@code --help}, prints the options and exits. */
  static ApiSettings parse(String[] args) {
    Options o = CommandLine.settings(args, Options.class);
    if (o.getDefaultLimit() < 1 || o.getDefaultLimit() > o.getMaxLimit()) {
      throw new IllegalArgumentException("--defaultLimit must be between 1 and --maxLimit (" + o.getMaxLimit() + ")");
    }
    return new ApiSettings(o.getHost(), o.getPort(), CassandraOptions.endpoint(o), o.getCassandraTable(),
        o.getDefaultLimit(), o.getMaxLimit(), o.getCursorKeyFile(), o.getThreads());
  }
}
