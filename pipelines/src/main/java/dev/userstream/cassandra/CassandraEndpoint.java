package dev.userstream.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.internal.core.connection.ExponentialReconnectionPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how to reach Cassandra: contact points ("host:port,host:port"), keyspace, consistency,
 * the local datacenter, and the login when the cluster authenticates. Serializable, so it travels
 * inside DoFns to Spark executors (the password with it, never on a command line); also the key of
 * the JVM-wide session cache. Its string form leaves the password out.
 */
public final class CassandraEndpoint implements Serializable {
  private static final long serialVersionUID = 3L;
  /** The datacenter a single node, or the local stack's cluster, reports. */
  public static final String DEFAULT_DATACENTER = "datacenter1";
  /** Client-side limit of one request: the 4.x driver's default (2 s) fails writes a busy node takes longer for. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Between attempts to reach a node that is down: from 1 s, doubling up to 10 s. The driver's
   * default grows to 10 minutes, but a restarted Cassandra should take writes again within
   * seconds; and a constant 1 s logged a warning a second, for as long as a cluster's node that
   * never came back stayed gone.
   */
  static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
  static final Duration RECONNECT_MAX_DELAY = Duration.ofSeconds(10);
  /** The variables the local stack exports (infra/stack.py env) for tools and tests. */
  public static final String USER_ENV = "USERSTREAM_CASSANDRA_USER";
  public static final String PASSWORD_FILE_ENV = "USERSTREAM_CASSANDRA_PASSWORD_FILE";

  public final String contactPoints;
  public final String keyspace;
  public final String consistency;
  /** The datacenter whose nodes serve requests (LOCAL_* consistency levels count its replicas). */
  public final String localDatacenter;
  /** Null when the cluster does not authenticate. */
  public final String user;
  private final String password;

  public CassandraEndpoint(String contactPoints, String keyspace, String consistency) {
    this(contactPoints, keyspace, consistency, DEFAULT_DATACENTER, null, null);
  }

  private CassandraEndpoint(String contactPoints, String keyspace, String consistency, String localDatacenter,
      String user, String password) {
    this.contactPoints = Objects.requireNonNull(contactPoints, "contactPoints");
    this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    this.consistency = Objects.requireNonNull(consistency, "consistency");
    this.localDatacenter = Objects.requireNonNull(localDatacenter, "localDatacenter");
    this.user = user;
    this.password = password;
    addresses(); // fail fast on a malformed list, at pipeline construction
    try {
      DefaultConsistencyLevel.valueOf(consistency);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a Cassandra consistency level: '" + consistency + "' (e.g. LOCAL_QUORUM,"
          + " QUORUM, ONE)");
    }
    if (localDatacenter.isBlank()) {
      throw new IllegalArgumentException("the Cassandra local datacenter must be named (a single node's is "
          + DEFAULT_DATACENTER + ")");
    }
  }

  /** The same endpoint with another local datacenter. */
  public CassandraEndpoint withLocalDatacenter(String datacenter) {
    return new CassandraEndpoint(contactPoints, keyspace, consistency, datacenter, user, password);
  }

  /**
   * The same endpoint logging in as {@code user} with the password in {@code passwordFile}; an
   * empty file name means the cluster does not authenticate.
   */
  public CassandraEndpoint withLogin(String user, String passwordFile) {
    if (passwordFile == null || passwordFile.isBlank()) {
      return new CassandraEndpoint(contactPoints, keyspace, consistency, localDatacenter, null, null);
    }
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("a Cassandra password file needs a user to log in as");
    }
    return new CassandraEndpoint(contactPoints, keyspace, consistency, localDatacenter, user,
        readPassword(Path.of(passwordFile)));
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

  /**
   * A session builder with the contact points, the local datacenter, the login and the project's
   * driver settings (consistency, timeouts, reconnection); callers may replace the login.
   */
  public CqlSessionBuilder sessionBuilder() {
    CqlSessionBuilder builder = CqlSession.builder().withLocalDatacenter(localDatacenter).withConfigLoader(
        DriverConfigLoader.programmaticBuilder()
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency)
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
            .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, CONNECT_TIMEOUT)
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, CONNECT_TIMEOUT)
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, CONNECT_TIMEOUT)
            .withClass(DefaultDriverOption.RECONNECTION_POLICY_CLASS, ExponentialReconnectionPolicy.class)
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, RECONNECT_DELAY)
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, RECONNECT_MAX_DELAY)
            // Schema changes (the tools' DDL) wait for every node to agree before returning.
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
            .build())
        .withNodeStateListener(new NodeStateLog(consistency));
    for (InetSocketAddress a : addresses()) {
      builder.addContactPoint(new InetSocketAddress(a.getHostString(), a.getPort()));
    }
    if (user != null) {
      builder.withAuthCredentials(user, password);
    }
    return builder;
  }

  /**
   * A session for this endpoint, or an error that says what is wrong: the login refused, or no
   * node reachable. Not bound to the keyspace: statements name it, as Cassandra 5 advises for
   * prepared ones.
   */
  public CqlSession connect() {
    try {
      return sessionBuilder().build();
    } catch (AllNodesFailedException e) {
      if (refusedLogin(e)) {
        throw new IllegalStateException("Cassandra at " + contactPoints + " refused the login"
            + (user == null
                ? ": it authenticates, so give --cassandraUser and --cassandraPasswordFile"
                : " of user '" + user + "': wrong password file?")
            + " (" + e.getMessage() + ")", e);
      }
      throw new IllegalStateException("cannot connect to Cassandra at " + contactPoints + " (is it up? is its"
          + " datacenter '" + localDatacenter + "'?): " + e.getMessage(), e);
    }
  }

  /** Whether a node answered the connection with a refused login (the driver wraps that per node). */
  public static boolean refusedLogin(Throwable e) {
    if (e instanceof AuthenticationException) {
      return true;
    }
    if (e instanceof AllNodesFailedException) {
      for (List<Throwable> errors : ((AllNodesFailedException) e).getAllErrors().values()) {
        for (Throwable error : errors) {
          if (refusedLogin(error)) {
            return true;
          }
        }
      }
    }
    return e.getCause() != null && e.getCause() != e && refusedLogin(e.getCause());
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
        && localDatacenter.equals(e.localDatacenter)
        && Objects.equals(user, e.user)
        && Objects.equals(password, e.password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contactPoints, keyspace, consistency, localDatacenter, user);
  }

  @Override
  public String toString() {
    return contactPoints + "/" + keyspace + " (" + consistency + " in " + localDatacenter
        + (user == null ? "" : ", as " + user) + ")";
  }
}
