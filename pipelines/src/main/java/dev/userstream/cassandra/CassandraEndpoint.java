package dev.userstream.cassandra;

import com.datastax.driver.core.Cluster;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how to reach Cassandra: contact points ("host:port,host:port"), keyspace, consistency,
 * and the login when the cluster authenticates. Serializable, so it travels inside DoFns to Spark
 * executors (the password with it, never on a command line); also the key of the JVM-wide session
 * cache. Its string form leaves the password out.
 */
public final class CassandraEndpoint implements Serializable {
  private static final long serialVersionUID = 2L;
  /** The variables the local stack exports (infra/stack.py env) for tools and tests. */
  public static final String USER_ENV = "USERSTREAM_CASSANDRA_USER";
  public static final String PASSWORD_FILE_ENV = "USERSTREAM_CASSANDRA_PASSWORD_FILE";

  public final String contactPoints;
  public final String keyspace;
  public final String consistency;
  /** Null when the cluster does not authenticate. */
  public final String user;
  private final String password;

  public CassandraEndpoint(String contactPoints, String keyspace, String consistency) {
    this(contactPoints, keyspace, consistency, null, null);
  }

  private CassandraEndpoint(String contactPoints, String keyspace, String consistency, String user, String password) {
    this.contactPoints = Objects.requireNonNull(contactPoints, "contactPoints");
    this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    this.consistency = Objects.requireNonNull(consistency, "consistency");
    this.user = user;
    this.password = password;
    addresses(); // fail fast on a malformed list, at pipeline construction
    com.datastax.driver.core.ConsistencyLevel.valueOf(consistency);
  }

  /**
   * The same endpoint logging in as {@code user} with the password in {@code passwordFile}; an
   * empty file name means the cluster does not authenticate.
   */
  public CassandraEndpoint withLogin(String user, String passwordFile) {
    if (passwordFile == null || passwordFile.isBlank()) {
      return new CassandraEndpoint(contactPoints, keyspace, consistency, null, null);
    }
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("a Cassandra password file needs a user to log in as");
    }
    return new CassandraEndpoint(contactPoints, keyspace, consistency, user, readPassword(Path.of(passwordFile)));
  }

  /** With the login the environment names ({@link #USER_ENV}, {@link #PASSWORD_FILE_ENV}), if any. */
  public CassandraEndpoint withLoginFromEnvironment() {
    String user = System.getenv(USER_ENV);
    return withLogin(user == null || user.isBlank() ? "userstream" : user, System.getenv(PASSWORD_FILE_ENV));
  }

  private static String readPassword(Path file) {
    try {
      String password = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (password.isEmpty()) {
        throw new IllegalArgumentException("the Cassandra password file " + file.toAbsolutePath() + " is empty");
      }
      return password;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the Cassandra password from " + file.toAbsolutePath()
          + " (the local stack writes it at first start: python3 infra/stack.py up cassandra): " + e, e);
    }
  }

  /** The password, for the tool that creates the role ({@code SecureCassandra}); null without a login. */
  public String password() {
    return password;
  }

  /** A cluster builder with the contact points and the login; callers add their own tuning. */
  public Cluster.Builder clusterBuilder() {
    Cluster.Builder builder = Cluster.builder().withoutJMXReporting();
    for (InetSocketAddress a : addresses()) {
      builder.addContactPointsWithPorts(new InetSocketAddress(a.getHostString(), a.getPort()));
    }
    if (user != null) {
      builder.withCredentials(user, password);
    }
    return builder;
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
        && consistency.equals(e.consistency)
        && Objects.equals(user, e.user)
        && Objects.equals(password, e.password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contactPoints, keyspace, consistency, user);
  }

  @Override
  public String toString() {
    return contactPoints + "/" + keyspace + " (" + consistency + (user == null ? "" : ", as " + user) + ")";
  }
}
