package dev.userstream.tools;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.CassandraSchema;
import dev.userstream.options.CassandraOptions;
import dev.userstream.options.CommandLine;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies infra/cassandra/schema.cql: {@code java -cp <bundled jar> dev.userstream.tools.ApplySchema
 * --cassandraHosts=127.0.0.1:19042 --cassandraKeyspace=userstream
 * --replication="{'class':'SimpleStrategy','replication_factor':1}"}. Safe to run again. Logs in
 * as {@link CassandraOptions} say ({@code --help} lists them).
 */
public final class ApplySchema {
  private static final Logger LOG = LoggerFactory.getLogger(ApplySchema.class);

  private ApplySchema() {}

  /** ApplySchema's options. */
  public interface Options extends CassandraOptions {
    @Description("The keyspace's replication, a CQL map; on a cluster e.g."
        + " {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}")
    @Default.String(CassandraSchema.LOCAL_REPLICATION)
    String getReplication();

    void setReplication(String value);
  }

  public static void main(String[] args) {
    Options options = CommandLine.parse(args, Options.class);
    CassandraEndpoint endpoint = CassandraOptions.endpoint(options);
    try (CqlSession session = endpoint.connect()) {
      CassandraSchema.apply(session, endpoint.keyspace, options.getReplication());
    }
    LOG.info("Schema applied to keyspace {} at {}", endpoint.keyspace, endpoint.contactPoints);
  }
}
