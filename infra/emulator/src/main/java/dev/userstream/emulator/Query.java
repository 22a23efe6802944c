package dev.userstream.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** A request's parameters, read the way the API reads them (docs/RANDOMUSER-API.md). */
final class Query {
  static final int MAX_RESULTS = 5000;

  final int results;
  final int page;
  final String seed;
  final List<Nationality> nationalities;
  final String gender;
  final Set<String> fields;
  final boolean noinfo;

  private Query(Map<String, String> p) {
    results = intOr(p.get("results"), 1, 1, MAX_RESULTS);
    page = intOr(p.get("page"), 1, 1, Integer.MAX_VALUE);
    String s = p.get("seed");
    // Without a seed every request gets new users, as from the real API.
    seed = s == null || s.isEmpty() ? Long.toHexString(ThreadLocalRandom.current().nextLong() | (1L << 60)) : s;
    List<Nationality> nats = new ArrayList<>();
    if (p.get("nat") != null) {
      for (String code : p.get("nat").split(",")) {
        Nationality n = Nationality.parse(code);
        if (n != null && !nats.contains(n)) {
          nats.add(n);
        }
      }
    }
    nationalities = nats.isEmpty() ? List.of(Nationality.values()) : nats;
    String g = p.get("gender");
    gender = "male".equalsIgnoreCase(g) || "female".equalsIgnoreCase(g) ? g.toLowerCase(java.util.Locale.ROOT) : null;
    Set<String> f = new LinkedHashSet<>(UserGenerator.FIELDS);
    if (p.get("inc") != null) {
      f.retainAll(list(p.get("inc")));
    }
    if (p.get("exc") != null) {
      f.removeAll(list(p.get("exc")));
    }
    fields = f;
    noinfo = p.containsKey("noinfo");
  }

  /** Page {@code page} of {@code seed} at the largest page size, every nationality and field. */
  static Query largestPage(String seed, int page) {
    return new Query(Map.of("seed", seed, "page", Integer.toString(page), "results", Integer.toString(MAX_RESULTS)));
  }

  static Query parse(String rawQuery) {
    Map<String, String> p = new HashMap<>();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        p.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return new Query(p);
  }

  /** Out of range or not an integer: the fallback, as the API treats results. */
  private static int intOr(String text, int fallback, int min, int max) {
    try {
      int v = Integer.parseInt(text);
      return v < min || v > max ? fallback : v;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static Set<String> list(String csv) {
    Set<String> out = new LinkedHashSet<>();
    for (String s : csv.split(",")) {
      out.add(s.trim().toLowerCase(java.util.Locale.ROOT));
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
