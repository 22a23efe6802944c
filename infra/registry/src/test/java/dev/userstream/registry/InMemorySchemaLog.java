package dev.userstream.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** A schema log in memory, for tests: a new registry over the same instance is a restart. */
final class InMemorySchemaLog implements SchemaLog {
  final List<String[]> records = new ArrayList<>();

  @Override
  public synchronized void replay(BiConsumer<String, String> apply) {
    records.forEach(r -> apply.accept(r[0], r[1]));
  }

  @Override
  public synchronized void append(String key, String value) {
    records.add(new String[] {key, value});
  }
}
