package dev.userstream.cassandra;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.userstream.model.UserProfile;

/**
 * The upsert of a profile into the Cassandra users table, keyed by {@code id} ({@code
 * login.uuid}): a replay overwrites the same row with the same values, never duplicates it. The
 * streaming pipeline writes with it in {@code StoreOutcomes}; the benchmark's write ceiling too.
 * Besides the profile it writes {@link LastNameKey}, which the read API's prefix search uses.
 */
public final class ProfileUpsert {
  private ProfileUpsert() {}

  /** A table name Cassandra accepts unquoted, or an error naming it. */
  public static String requireTableName(String table) {
    if (table == null || !table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a Cassandra table name: '" + table + "'");
    }
    return table;
  }

  /** The upsert statement; column order matches {@link #bind}. */
  public static String insertCql(String keyspace, String table) {
    return "INSERT INTO " + keyspace + "." + table + " (id, title, first_name, last_name, gender, street, city, state,"
        + " country, postcode, latitude, longitude, timezone_offset, email, username, dob, age,"
        + " registered_at, phone, cell, picture_url, nat, ingested_at, last_name_key)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }

  /**
   * Binds by index with typed setters, on one builder: the driver's untyped {@code bind(Object...)}
   * looks every value's codec up by its Java type, and each setter of an immutable bound statement
   * copies it.
   */
  public static BoundStatement bind(PreparedStatement insert, UserProfile p) {
    BoundStatementBuilder s = insert.boundStatementBuilder();
    s.setUuid(0, p.id);
    s.setString(1, p.title);
    s.setString(2, p.firstName);
    s.setString(3, p.lastName);
    s.setString(4, p.gender);
    s.setString(5, p.street);
    s.setString(6, p.city);
    s.setString(7, p.state);
    s.setString(8, p.country);
    s.setString(9, p.postcode);
    setDouble(s, 10, p.latitude);
    setDouble(s, 11, p.longitude);
    s.setString(12, p.timezoneOffset);
    s.setString(13, p.email);
    s.setString(14, p.username);
    s.setInstant(15, p.dob);
    if (p.age == null) {
      s.setToNull(16);
    } else {
      s.setInt(16, p.age);
    }
    s.setInstant(17, p.registeredAt);
    s.setString(18, p.phone);
    s.setString(19, p.cell);
    s.setString(20, p.pictureUrl);
    s.setString(21, p.nat);
    s.setInstant(22, p.ingestedAt);
    Long lastNameKey = LastNameKey.of(p.lastName);
    if (lastNameKey == null) {
      s.setToNull(23);
    } else {
      s.setLong(23, lastNameKey);
    }
    return s.setIdempotence(true).build();
  }

  private static void setDouble(BoundStatementBuilder s, int i, Double v) {
    if (v == null) {
      s.setToNull(i);
    } else {
      s.setDouble(i, v);
    }
  }
}
