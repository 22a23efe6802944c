package dev.userstream.options;

import dev.userstream.cassandra.CassandraEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where Cassandra and the profiles table are, how to log in, and how sure a write must be. */
public interface CassandraOptions extends PipelineOptions {
  @Description("Cassandra contact points, host:port[,host:port]")
  @Default.String("127.0.0.1:19042")
  String getCassandraHosts();

  void setCassandraHosts(String value);

  @Description("Cassandra keyspace holding the users table (apply infra/cassandra/schema.cql first)")
  @Default.String("userstream")
  String getCassandraKeyspace();

  void setCassandraKeyspace(String value);

  @Description("Cassandra table of profiles")
  @Default.String("users")
  String getCassandraTable();

  void setCassandraTable(String value);

  @Description("Cassandra user to log in as, when --cassandraPasswordFile is set; default $USERSTREAM_CASSANDRA_USER,"
      + " else userstream")
  @Default.InstanceFactory(CassandraUserFactory.class)
  String getCassandraUser();

  void setCassandraUser(String value);

  @Description("File holding the Cassandra password (never the password itself: command lines are visible to every"
      + " user); default $USERSTREAM_CASSANDRA_PASSWORD_FILE, else .userstream/secrets/cassandra.password when it"
      + " exists (written by the local stack). Empty: the cluster does not authenticate")
  @Default.InstanceFactory(CassandraPasswordFileFactory.class)
  String getCassandraPasswordFile();

  void setCassandraPasswordFile(String value);

  @Description("Consistency level of reads and writes (e.g. LOCAL_QUORUM, ONE)")
  @Default.String("LOCAL_QUORUM")
  String getCassandraConsistency();

  void setCassandraConsistency(String value);

  @Description("The Cassandra datacenter whose nodes serve the requests (LOCAL_* consistency levels count its"
      + " replicas); a single node's, and the local stack's, is " + CassandraEndpoint.DEFAULT_DATACENTER)
  @Default.String(CassandraEndpoint.DEFAULT_DATACENTER)
  String getCassandraLocalDatacenter();

  void setCassandraLocalDatacenter(String value);

  /** The endpoint these options name, with its login. */
  static CassandraEndpoint endpoint(CassandraOptions o) {
    return new CassandraEndpoint(o.getCassandraHosts(), o.getCassandraKeyspace(), o.getCassandraConsistency())
        .withLocalDatacenter(o.getCassandraLocalDatacenter())
        .withLogin(o.getCassandraUser(), o.getCassandraPasswordFile());
  }

  /** The environment's Cassandra user, as infra/stack.py env exports it, or the stack's. */
  class CassandraUserFactory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      String fromEnv = System.getenv(CassandraEndpoint.USER_ENV);
      return fromEnv == null || fromEnv.isBlank() ? "userstream" : fromEnv;
    }
  }

  /** The environment's password file, or the local stack's when it exists, or none. */
  class CassandraPasswordFileFactory implements DefaultValueFactory<String> {
    static final String STACK_DEFAULT = ".userstream/secrets/cassandra.password";

    @Override
    public String create(PipelineOptions options) {
      String fromEnv = System.getenv(CassandraEndpoint.PASSWORD_FILE_ENV);
      if (fromEnv != null && !fromEnv.isBlank()) {
        return fromEnv;
      }
      return Files.exists(Path.of(STACK_DEFAULT)) ? STACK_DEFAULT : "";
    }
  }
}
