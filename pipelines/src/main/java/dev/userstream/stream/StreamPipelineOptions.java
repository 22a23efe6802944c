package dev.userstream.stream;

import dev.userstream.cassandra.CassandraEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/** Options of {@link StreamPipeline}; the defaults reach the local stack started by infra/stack. */
public interface StreamPipelineOptions extends PipelineOptions, StreamingOptions {
  @Description("Kafka bootstrap servers, host:port[,host:port]")
  @Default.String("127.0.0.1:19092")
  String getKafkaBootstrapServers();

  void setKafkaBootstrapServers(String value);

  @Description("Topic of raw randomuser.me user JSON, keyed by login.uuid")
  @Default.String("users.raw")
  String getInputTopic();

  void setInputTopic(String value);

  @Description("Topic that receives every record the pipeline rejects, with the reason in headers")
  @Default.String("users.dlq")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description("Kafka consumer group; its offsets are committed once the records before them are stored, and a"
      + " (re)started job resumes from them")
  @Default.String("userstream-stream")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description("Cassandra contact points, host:port[,host:port]")
  @Default.String("127.0.0.1:19042")
  String getCassandraHosts();

  void setCassandraHosts(String value);

  @Description("Cassandra keyspace holding the users table (apply infra/cassandra/schema.cql first)")
  @Default.String("userstream")
  String getCassandraKeyspace();

  void setCassandraKeyspace(String value);

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

  @Description("Cassandra table of profiles")
  @Default.String("users")
  String getCassandraTable();

  void setCassandraTable(String value);

  @Description("Consistency level of the upserts (e.g. LOCAL_QUORUM, ONE)")
  @Default.String("LOCAL_QUORUM")
  String getCassandraConsistency();

  void setCassandraConsistency(String value);

  @Description("Unacknowledged Cassandra writes allowed per writer instance")
  @Default.Integer(256)
  int getCassandraMaxInFlight();

  void setCassandraMaxInFlight(int value);

  @Description("How long a failing Cassandra write, dead-letter send or offset commit is retried (outages are waited"
      + " out) before the micro-batch fails, its offsets uncommitted, and the job stops")
  @Default.Long(300)
  long getStoreRetrySeconds();

  void setStoreRetrySeconds(long value);

  @Description("Payloads larger than this many bytes are dead-lettered without parsing")
  @Default.Integer(1024 * 1024)
  int getMaxPayloadBytes();

  void setMaxPayloadBytes(int value);

  @Description("Confluent-compatible schema registry (ours, Confluent, Apicurio, Karapace): payloads are validated"
      + " against the latest schema of <inputTopic>-value, violations dead-lettered. Empty: no schema check")
  @Default.String("http://127.0.0.1:18085")
  String getSchemaRegistryUrl();

  void setSchemaRegistryUrl(String value);

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
