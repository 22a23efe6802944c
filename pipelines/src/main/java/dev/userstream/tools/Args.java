package dev.userstream.tools;

import java.util.HashMap;
import java.util.Map;

/** "--name=value" arguments, with defaults and a clear error for anything unknown. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final String usage;

  Args(String[] args, String usage, String... names) {
    this.usage = usage;
    java.util.Set<String> known = java.util.Set.of(names);
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0 || !known.contains(a.substring(2, eq))) {
        throw new IllegalArgumentException("unknown argument '" + a + "'\nusage: " + usage);
      }
      values.put(a.substring(2, eq), a.substring(eq + 1));
    }
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  long getLong(String name, long fallback) {
    String v = values.get(name);
    try {
      return v == null ? fallback : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'\nusage: " + usage);
    }
  }
}
