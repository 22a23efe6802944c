package dev.userstream.cassandra;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how to reach Cassandra: contact points ("host:port,host:port"), keyspace, consistency.
 * Serializable, so it travels inside DoFns to Spark executors; also the key of the JVM-wide
 * session cache.
 */
public final class CassandraEndpoint implements Serializable {
  private static final long serialVersionUID = 1L;

  public final String contactPoints;
  public final String keyspace;
  public final String consistency;

  public CassandraEndpoint(String contactPoints, String keyspace, String consistency) {
    this.contactPoints = Objects.requireNonNull(contactPoints, "contactPoints");
    this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    this.consistency = Objects.requireNonNull(consistency, "consistency");
    addresses(); // fail fast on a malformed list, at pipeline construction
    com.datastax.driver.core.ConsistencyLevel.valueOf(consistency);
  }

  /** The contact points as socket addresses; "host" alone means port 9042. */
  public List<InetSocketAddress> addresses() {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : contactPoints.split(",")) {
      String hp = part.trim();
      if (hp.isEmpty()) {
        continue;
      }
      int colon = hp.lastIndexOf(':');
      try {
        out.add(
            colon < 0
                ? InetSocketAddress.createUnresolved(hp, 9042)
                : InetSocketAddress.createUnresolved(
                    hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1))));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad Cassandra contact point '" + hp + "' in '"
            + contactPoints + "': expected host:port");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no Cassandra contact points in '" + contactPoints + "'");
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CassandraEndpoint)) {
      return false;
    }
    CassandraEndpoint e = (CassandraEndpoint) o;
    return contactPoints.equals(e.contactPoints)
        && keyspace.equals(e.keyspace)
        && consistency.equals(e.consistency);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contactPoints, keyspace, consistency);
  }

  @Override
  public String toString() {
    return contactPoints + "/" + keyspace + " (" + consistency + ")";
  }
}
