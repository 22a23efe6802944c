package dev.userstream.tools;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.CassandraSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies infra/cassandra/schema.cql: {@code java -cp <bundled jar> dev.userstream.tools.ApplySchema
 * --hosts=127.0.0.1:19042 --keyspace=userstream --replication="{'class':'SimpleStrategy','replication_factor':1}"}.
 * Safe to run again. Logs in as {@code $USERSTREAM_CASSANDRA_USER} with the password in
 * {@code $USERSTREAM_CASSANDRA_PASSWORD_FILE} when that is set.
 */
public final class ApplySchema {
  private static final Logger LOG = LoggerFactory.getLogger(ApplySchema.class);

  private ApplySchema() {}

  public static void main(String[] argv) {
    Args args =
        new Args(argv, "ApplySchema --hosts=host:port[,...] --keyspace=NAME --replication=CQL_MAP",
            "hosts", "keyspace", "replication");
    CassandraEndpoint endpoint =
        new CassandraEndpoint(args.get("hosts", "127.0.0.1:19042"), args.get("keyspace", "userstream"), "ONE")
            .withLoginFromEnvironment();
    try (Cluster cluster = endpoint.clusterBuilder().build(); Session session = cluster.connect()) {
      CassandraSchema.apply(
          session, endpoint.keyspace, args.get("replication", CassandraSchema.LOCAL_REPLICATION));
    }
    LOG.info("Schema applied to keyspace {} at {}", endpoint.keyspace, endpoint.contactPoints);
  }
}
