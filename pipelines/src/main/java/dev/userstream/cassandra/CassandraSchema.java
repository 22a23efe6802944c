package dev.userstream.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project's Cassandra schema, from {@code infra/cassandra/schema.cql} (shipped on the
 * classpath as {@code userstream/cassandra/schema.cql}; docker-compose reads the same file).
 * {@code ${KEYSPACE}} and {@code ${REPLICATION}} are substituted; every statement is
 * {@code IF NOT EXISTS}, so applying it again changes nothing.
 */
public final class CassandraSchema {
  private static final Logger LOG = LoggerFactory.getLogger(CassandraSchema.class);
  static final String RESOURCE = "/userstream/cassandra/schema.cql";
  /** One replica: right for a single local node, wrong for any real cluster. */
  public static final String LOCAL_REPLICATION = "{'class': 'SimpleStrategy', 'replication_factor': 1}";

  private CassandraSchema() {}

  /** The schema's statements for {@code keyspace} with {@code replication}, in order. */
  public static List<String> statements(String keyspace, String replication) {
    if (!keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
      throw new IllegalArgumentException("not a Cassandra keyspace name: '" + keyspace + "'");
    }
    String cql = read().replace("${KEYSPACE}", keyspace).replace("${REPLICATION}", replication);
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : cql.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(trimmed).append(' ');
      if (trimmed.endsWith(";")) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    return out;
  }

  /** Applies the schema through a session that is not bound to the keyspace. */
  public static void apply(CqlSession session, String keyspace, String replication) {
    for (String statement : statements(keyspace, replication)) {
      LOG.info("CQL: {}", statement);
      session.execute(statement);
    }
  }

  private static String read() {
    try (InputStream in = CassandraSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE, e);
    }
  }
}
