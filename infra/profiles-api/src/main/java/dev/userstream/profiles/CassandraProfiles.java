package dev.userstream.profiles;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userstream.cassandra.CassandraEndpoint;
import dev.userstream.cassandra.LastNameKey;
import dev.userstream.cassandra.ProfileUpsert;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Profiles read from the table the streaming job writes, through its storage-attached indexes only:
 * every listing's WHERE clause is made of {@link ProfileQuery.Filter#restriction}s with bound
 * values, one prepared statement per combination of filters, and none needs ALLOW FILTERING.
 */
final class CassandraProfiles implements ProfileSource {
  /** The profile's columns and their JSON names: the fields of {@code dev.userstream.model.UserProfile}. */
  static final List<String[]> COLUMNS = List.of(
      new String[] {"id", "id"}, new String[] {"title", "title"}, new String[] {"first_name", "firstName"},
      new String[] {"last_name", "lastName"}, new String[] {"gender", "gender"}, new String[] {"street", "street"},
      new String[] {"city", "city"}, new String[] {"state", "state"}, new String[] {"country", "country"},
      new String[] {"postcode", "postcode"}, new String[] {"latitude", "latitude"},
      new String[] {"longitude", "longitude"}, new String[] {"timezone_offset", "timezoneOffset"},
      new String[] {"email", "email"}, new String[] {"username", "username"}, new String[] {"dob", "dob"},
      new String[] {"age", "age"}, new String[] {"registered_at", "registeredAt"}, new String[] {"phone", "phone"},
      new String[] {"cell", "cell"}, new String[] {"picture_url", "pictureUrl"}, new String[] {"nat", "nat"},
      new String[] {"ingested_at", "ingestedAt"});

  private final CqlSession session;
  private final String from;
  private final PreparedStatement byId;
  private final Map<Set<ProfileQuery.Filter>, PreparedStatement> listings = new ConcurrentHashMap<>();

  CassandraProfiles(CassandraEndpoint endpoint, String table) {
    this.session = endpoint.connect();
    this.from = endpoint.keyspace + "." + ProfileUpsert.requireTableName(table);
    this.byId = session.prepare(select() + " WHERE id = ?");
  }

  /** The listing statement for a set of filters, in {@link ProfileQuery.Filter} order. */
  static String listingCql(String from, Set<ProfileQuery.Filter> filters) {
    List<String> restrictions = new ArrayList<>();
    for (ProfileQuery.Filter f : ProfileQuery.Filter.values()) {
      if (filters.contains(f)) {
        restrictions.add(f.restriction);
      }
    }
    return "SELECT " + columnList() + " FROM " + from + " WHERE " + String.join(" AND ", restrictions);
  }

  @Override
  public Optional<ObjectNode> byId(UUID id) {
    Row row = session.execute(byId.bind(id)).one();
    return row == null ? Optional.empty() : Optional.of(json(row));
  }

  @Override
  public Page list(ProfileQuery query, ByteBuffer pagingState) {
    Set<ProfileQuery.Filter> filters = query.filters().keySet();
    PreparedStatement listing = listings.computeIfAbsent(Set.copyOf(filters), f -> session.prepare(listingCql(from, f)));
    BoundStatementBuilder statement = listing.boundStatementBuilder().setPageSize(query.limit());
    int i = 0;
    LastNameKey.Range prefixRange = null;
    for (ProfileQuery.Filter f : ProfileQuery.Filter.values()) {
      String value = query.filters().get(f);
      if (value == null) {
        continue;
      }
      if (f == ProfileQuery.Filter.LAST_NAME_PREFIX) {
        prefixRange = LastNameKey.range(value);
        statement.setLong(i++, prefixRange.low());
        statement.setLong(i++, prefixRange.high());
      } else {
        statement.setString(i++, value);
      }
    }
    if (pagingState != null) {
      statement.setPagingState(pagingState);
    }
    ResultSet rows = session.execute(statement.build());
    String prefix = query.lastNamePrefix();
    // The key holds the name's first LastNameKey.BYTES bytes: a longer prefix is matched here.
    boolean matchHere = prefixRange != null && !prefixRange.exact();
    List<ObjectNode> page = new ArrayList<>();
    for (int n = rows.getAvailableWithoutFetching(); n > 0; n--) {
      Row row = rows.one();
      if (!matchHere || (row.getString("last_name") != null
          && LastNameKey.fold(row.getString("last_name")).startsWith(prefix))) {
        page.add(json(row));
      }
    }
    return new Page(page, rows.getExecutionInfo().getPagingState());
  }

  @Override
  public void check() {
    session.execute("SELECT release_version FROM system.local");
  }

  static ObjectNode json(Row row) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String[] column : COLUMNS) {
      Object value = row.getObject(column[0]);
      String name = column[1];
      if (value == null) {
        out.putNull(name);
      } else if (value instanceof Double d) {
        out.put(name, d);
      } else if (value instanceof Integer n) {
        out.put(name, n);
      } else if (value instanceof Instant || value instanceof UUID) {
        out.put(name, value.toString());
      } else {
        out.put(name, (String) value);
      }
    }
    return out;
  }

  private String select() {
    return "SELECT " + columnList() + " FROM " + from;
  }

  private static String columnList() {
    List<String> names = new ArrayList<>();
    for (String[] column : COLUMNS) {
      names.add(column[0]);
    }
    return String.join(", ", names);
  }

  @Override
  public void close() {
    session.close();
  }
}
