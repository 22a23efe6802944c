package dev.userstream.registry;

import java.util.function.BiConsumer;

/** Where the registry's state lives: an ordered log of (key, value) records, null values deleting. */
interface SchemaLog extends AutoCloseable {
  /** Calls {@code apply} for every record so far, in order. */
  void replay(BiConsumer<String, String> apply);

  /** Appends a record durably; returns only once it is stored. */
  void append(String key, String value);

  @Override
  default void close() {}
}
