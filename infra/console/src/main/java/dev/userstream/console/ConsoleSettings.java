package dev.userstream.console;

import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import dev.userstream.options.KafkaOptions;
import dev.userstream.options.PostgresOptions;
import dev.userstream.options.SchemaRegistryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** What the console watches and where, from its {@link Options} (defaults: the local stack). */
record ConsoleSettings(
    String host,
    int port,
    String kafka,
    String inputTopic,
    String deadLetterTopic,
    String streamGroup,
    String postgresUrl,
    String postgresUser,
    String postgresPasswordFile,
    String stagingTable,
    String cassandra,
    String cassandraUser,
    String cassandraPasswordFile,
    String cassandraLocalDatacenter,
    String keyspace,
    String registryUrl,
    String sparkUi,
    String flinkUi,
    String airflowUi,
    String sparkLink,
    String flinkLink,
    String airflowLink,
    String profilesApi,
    int sampleSeconds) {

  /**
   * The console's options: the services' shared ones (the same names and defaults as the jobs'
   * and tools'), and its own; {@code --help} lists them.
   */
  public interface Options extends KafkaOptions, CassandraOptions, PostgresOptions, SchemaRegistryOptions {
    @Description("Address to listen on")
    @Default.String("127.0.0.1")
    String getHost();

    void setHost(String value);

    @Description("Port to listen on (the local stack's: 18088)")
    @Default.Integer(18088)
    int getPort();

    void setPort(int value);

    @Description("The streaming job's input topic (its --inputTopic)")
    @Default.String("users.raw")
    String getInputTopic();

    void setInputTopic(String value);

    @Description("The streaming job's dead-letter topic (its --deadLetterTopic)")
    @Default.String("users.dlq")
    String getDeadLetterTopic();

    void setDeadLetterTopic(String value);

    @Description("The streaming job's consumer group (its --consumerGroup), whose lag the console shows first")
    @Default.String("userstream-stream")
    String getConsumerGroup();

    void setConsumerGroup(String value);

    @Description("Spark master's web UI, as the console probes it")
    @Default.String("http://127.0.0.1:18080")
    String getSparkUi();

    void setSparkUi(String value);

    @Description("Flink JobManager's web UI and REST API, as the console probes it")
    @Default.String("http://127.0.0.1:18082")
    String getFlinkUi();

    void setFlinkUi(String value);

    @Description("Airflow's web UI, as the console probes it")
    @Default.String("http://127.0.0.1:18090")
    String getAirflowUi();

    void setAirflowUi(String value);

    @Description("Spark's UI as the browser opens it, when it differs from --sparkUi (containers); default --sparkUi")
    @Default.InstanceFactory(SparkLinkFactory.class)
    String getSparkLink();

    void setSparkLink(String value);

    @Description("Flink's UI as the browser opens it, when it differs from --flinkUi (containers); default --flinkUi")
    @Default.InstanceFactory(FlinkLinkFactory.class)
    String getFlinkLink();

    void setFlinkLink(String value);

    @Description("Airflow's UI as the browser opens it, when it differs from --airflowUi; default --airflowUi")
    @Default.InstanceFactory(AirflowLinkFactory.class)
    String getAirflowLink();

    void setAirflowLink(String value);

    @Description("The profiles API (infra/profiles-api), which the Profiles section searches through the console")
    @Default.String("http://127.0.0.1:18095")
    String getProfilesApi();

    void setProfilesApi(String value);

    @Description("Seconds between samples of every service")
    @Default.Integer(3)
    int getSampleSeconds();

    void setSampleSeconds(int value);

    /** --sparkUi, unless set. */
    class SparkLinkFactory implements DefaultValueFactory<String> {
      @Override
      public String create(PipelineOptions options) {
        return options.as(Options.class).getSparkUi();
      }
    }

    /** --flinkUi, unless set. */
    class FlinkLinkFactory implements DefaultValueFactory<String> {
      @Override
      public String create(PipelineOptions options) {
        return options.as(Options.class).getFlinkUi();
      }
    }

    /** --airflowUi, unless set. */
    class AirflowLinkFactory implements DefaultValueFactory<String> {
      @Override
      public String create(PipelineOptions options) {
        return options.as(Options.class).getAirflowUi();
      }
    }
  }

  /** The settings {@code args} give; with {@code --help}, prints the options and exits. */
  static ConsoleSettings parse(String[] args) {
    return of(CommandLine.settings(args, Options.class));
  }

  static ConsoleSettings of(Options o) {
    return new ConsoleSettings(o.getHost(), o.getPort(), o.getKafkaBootstrapServers(), o.getInputTopic(),
        o.getDeadLetterTopic(), o.getConsumerGroup(), o.getPostgresUrl(), o.getPostgresUser(),
        o.getPostgresPasswordFile(), o.getStagingTable(), o.getCassandraHosts(), o.getCassandraUser(),
        o.getCassandraPasswordFile(), o.getCassandraLocalDatacenter(), o.getCassandraKeyspace(), o.getSchemaRegistryUrl(), o.getSparkUi(),
        o.getFlinkUi(), o.getAirflowUi(), o.getSparkLink(), o.getFlinkLink(), o.getAirflowLink(), o.getProfilesApi().replaceFirst("/+$", ""),
        o.getSampleSeconds());
  }
}
