package dev.userstream.registry;

import java.util.Locale;

/** Compatibility levels, as Confluent names them. */
public enum Compatibility {
  NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

  static Compatibility parse(String level) {
    if (level == null) {
      throw RegistryException.invalidCompatibility("null");
    }
    try {
      return valueOf(level.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw RegistryException.invalidCompatibility(level);
    }
  }

  /** New schemas must read data written with earlier ones. */
  boolean backward() {
    return this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
  }

  /** Earlier schemas must read data written with the new one. */
  boolean forward() {
    return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
  }

  /** Against every earlier version, not only the latest. */
  boolean transitive() {
    return name().endsWith("_TRANSITIVE");
  }
}
