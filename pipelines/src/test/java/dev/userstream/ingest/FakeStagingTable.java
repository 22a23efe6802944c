package dev.userstream.ingest;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * A JDBC data source over an in-memory staging table that understands exactly the two statements
 * {@link StageUsers} sends: the insert that keeps the first row of a uuid ({@code ON CONFLICT
 * DO NOTHING}) and the count of a page's unpublished rows of one fetch. Anything else fails, so
 * a changed statement shows up here. The DirectRunner runs deserialised copies of the DoFns:
 * tables live in a static map, by name.
 */
final class FakeStagingTable {
  private static final Map<String, FakeStagingTable> TABLES = new ConcurrentHashMap<>();

  /** A staged row, as the insert bound it. */
  record Row(UUID uuid, byte[] payload, String seed, int page, OffsetDateTime fetchedAt) {}

  final Map<UUID, Row> rows = new ConcurrentHashMap<>();
  /** The size of every batch the insert executed. */
  final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

  static SerializableFunction<Void, DataSource> dataSource(String name, FakeStagingTable table) {
    TABLES.put(name, table);
    return ignored -> TABLES.get(name).asDataSource();
  }

  DataSource asDataSource() {
    return proxy(DataSource.class, (self, m, args) -> switch (m.getName()) {
      case "getConnection" -> connection();
      default -> defaultValue(m);
    });
  }

  private Connection connection() {
    return proxy(Connection.class, (self, m, args) -> switch (m.getName()) {
      case "prepareStatement" -> statement((String) args[0]);
      case "getAutoCommit", "isValid" -> true;
      default -> defaultValue(m);
    });
  }

  private PreparedStatement statement(String sql) {
    Map<Integer, Object> parameters = new HashMap<>();
    List<Map<Integer, Object>> batch = new ArrayList<>();
    boolean insert = sql.startsWith("INSERT INTO staging.raw_users (user_uuid, payload, seed, page, fetched_at)")
        && sql.endsWith("ON CONFLICT (user_uuid) DO NOTHING");
    boolean count = sql.startsWith("SELECT count(*) FROM staging.raw_users WHERE published_at IS NULL AND fetched_at = ? AND seed = ? AND page = ?");
    if (!insert && !count) {
      throw new AssertionError("a statement the fake does not know: " + sql);
    }
    return proxy(PreparedStatement.class, (self, m, args) -> {
      switch (m.getName()) {
        case "setObject", "setBytes", "setString", "setInt" -> parameters.put((Integer) args[0], args[1]);
        case "clearParameters" -> parameters.clear();
        case "addBatch" -> batch.add(new HashMap<>(parameters));
        case "executeBatch" -> {
          int[] counts = new int[batch.size()];
          for (int i = 0; i < batch.size(); i++) {
            Map<Integer, Object> p = batch.get(i);
            Row row = new Row((UUID) p.get(1), (byte[]) p.get(2), (String) p.get(3), (Integer) p.get(4),
                (OffsetDateTime) p.get(5));
            counts[i] = rows.putIfAbsent(row.uuid(), row) == null ? 1 : 0;
          }
          batchSizes.add(batch.size());
          batch.clear();
          return counts;
        }
        case "executeQuery" -> {
          long n = rows.values().stream()
              .filter(r -> r.fetchedAt().isEqual((OffsetDateTime) parameters.get(1))
                  && r.seed().equals(parameters.get(2)) && r.page() == (Integer) parameters.get(3))
              .count();
          return resultOf(n);
        }
        default -> {
          return defaultValue(m);
        }
      }
      return null;
    });
  }

  private static ResultSet resultOf(long count) {
    boolean[] read = {false};
    return proxy(ResultSet.class, (self, m, args) -> switch (m.getName()) {
      case "next" -> {
        boolean first = !read[0];
        read[0] = true;
        yield first;
      }
      case "getLong" -> count;
      default -> defaultValue(m);
    });
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return (T) Proxy.newProxyInstance(FakeStagingTable.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /** What a method the fake does not care about returns (close, commit, setAutoCommit ...). */
  private static Object defaultValue(Method m) {
    Class<?> r = m.getReturnType();
    if (r == boolean.class) {
      return false;
    }
    if (r == int.class || r == long.class || r == short.class || r == byte.class) {
      return r == long.class ? 0L : r == int.class ? 0 : r == short.class ? (short) 0 : (byte) 0;
    }
    if (r == double.class || r == float.class) {
      return r == double.class ? 0.0 : 0.0f;
    }
    if (m.getName().equals("toString")) {
      return "FakeStagingTable";
    }
    if (m.getName().equals("hashCode")) {
      return 0;
    }
    return null;
  }
}
