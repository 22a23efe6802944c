package dev.userstream.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the console watches and where, from {@code --name=value} options (defaults: the local stack). */
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
    String keyspace,
    String registryUrl,
    String sparkUi,
    String airflowUi,
    String sparkLink,
    String airflowLink,
    int sampleSeconds) {

  static final List<String> NAMES = List.of("host", "port", "kafkaBootstrapServers", "inputTopic", "deadLetterTopic", "consumerGroup",
      "postgresUrl", "postgresUser", "postgresPasswordFile", "stagingTable", "cassandraHosts", "cassandraUser",
      "cassandraPasswordFile", "cassandraKeyspace", "schemaRegistryUrl",
      "sparkUi", "airflowUi", "sparkLink", "airflowLink", "sampleSeconds");

  static ConsoleSettings parse(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String name = arg.startsWith("--") && eq > 2 ? arg.substring(2, eq) : null;
      if (name == null || !NAMES.contains(name)) {
        throw new IllegalArgumentException("unknown option " + arg + "; known: --" + String.join("=, --", NAMES) + "=");
      }
      o.put(name, arg.substring(eq + 1));
    }
    String sparkUi = o.getOrDefault("sparkUi", "http://127.0.0.1:18080");
    String airflowUi = o.getOrDefault("airflowUi", "http://127.0.0.1:18090");
    return new ConsoleSettings(
        o.getOrDefault("host", "127.0.0.1"),
        Integer.parseInt(o.getOrDefault("port", "18088")),
        o.getOrDefault("kafkaBootstrapServers", "127.0.0.1:19092"),
        o.getOrDefault("inputTopic", "users.raw"),
        o.getOrDefault("deadLetterTopic", "users.dlq"),
        o.getOrDefault("consumerGroup", "userstream-stream"),
        o.getOrDefault("postgresUrl", "jdbc:postgresql://127.0.0.1:15432/userstream"),
        o.getOrDefault("postgresUser", "userstream"),
        o.getOrDefault("postgresPasswordFile", ""),
        o.getOrDefault("stagingTable", "staging.raw_users"),
        o.getOrDefault("cassandraHosts", "127.0.0.1:19042"),
        o.getOrDefault("cassandraUser", "userstream"),
        // Empty: Cassandra does not authenticate.
        o.getOrDefault("cassandraPasswordFile", ""),
        o.getOrDefault("cassandraKeyspace", "userstream"),
        o.getOrDefault("schemaRegistryUrl", "http://127.0.0.1:18085"),
        sparkUi,
        airflowUi,
        // What the browser opens, when it differs from what the console probes (containers).
        o.getOrDefault("sparkLink", sparkUi),
        o.getOrDefault("airflowLink", airflowUi),
        Integer.parseInt(o.getOrDefault("sampleSeconds", "3")));
  }
}
