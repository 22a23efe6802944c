package dev.userstream.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The registry's state and rules: subjects with numbered versions, schemas with global ids shared
 * by identical schemas, a global and per-subject compatibility level, soft and permanent deletes.
 * Every change is appended to the {@link SchemaLog} first and applied once stored; startup replays
 * the log. Only JSON Schema is accepted.
 */
final class Registry {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String JSON_TYPE = "JSON";

  /** One version of a subject. */
  record Version(String subject, int version, int id, String schema, JsonNode tree, boolean deleted) {}

  private final SchemaLog log;
  private final Map<String, NavigableMap<Integer, Version>> subjects = new TreeMap<>();
  private final Map<Integer, String> schemaById = new HashMap<>();
  private final Map<String, Integer> idByCanonical = new HashMap<>();
  private final Map<String, Compatibility> subjectLevels = new HashMap<>();
  private Compatibility globalLevel = Compatibility.BACKWARD;
  private int maxId;

  Registry(SchemaLog log) {
    this.log = log;
    log.replay(this::apply);
  }

  synchronized int subjectCount() {
    return (int) subjects.values().stream().filter(v -> v.values().stream().anyMatch(x -> !x.deleted())).count();
  }

  synchronized int schemaCount() {
    return schemaById.size();
  }

  // ---- subjects and versions

  synchronized List<String> subjects(boolean includeDeleted) {
    return subjects.entrySet().stream()
        .filter(e -> e.getValue().values().stream().anyMatch(v -> includeDeleted || !v.deleted()))
        .map(Map.Entry::getKey)
        .collect(Collectors.toList());
  }

  synchronized List<Integer> versions(String subject, boolean includeDeleted) {
    List<Integer> out = live(subject, includeDeleted).stream().map(Version::version).collect(Collectors.toList());
    if (out.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return out;
  }

  synchronized Version version(String subject, String version, boolean includeDeleted) {
    List<Version> live = live(subject, includeDeleted);
    if (live.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    if (isLatest(version)) {
      return live.get(live.size() - 1);
    }
    int number = parseVersion(version);
    return live.stream().filter(v -> v.version() == number).findFirst()
        .orElseThrow(() -> RegistryException.versionNotFound(version));
  }

  /** Registers {@code schema} under {@code subject}; the id of an identical live version if there is one. */
  synchronized int register(String subject, String schemaType, String schema, JsonNode references) {
    JsonNode tree = parse(schemaType, schema, references);
    String canonical = JsonSchemas.canonical(tree);
    for (Version v : live(subject, false)) {
      if (JsonSchemas.canonical(v.tree()).equals(canonical)) {
        return v.id();
      }
    }
    List<String> problems = JsonSchemaCompatibility.check(level(subject), tree, live(subject, false));
    if (!problems.isEmpty()) {
      throw RegistryException.incompatible(subject, problems);
    }
    Integer id = idByCanonical.get(canonical);
    String stored = id == null ? schema : schemaById.get(id);
    NavigableMap<Integer, Version> all = subjects.get(subject);
    int number = all == null || all.isEmpty() ? 1 : all.lastKey() + 1;
    int newId = id == null ? maxId + 1 : id;
    write(schemaKey(subject, number), schemaValue(subject, number, newId, stored, false));
    return newId;
  }

  /** The live version of {@code subject} whose schema is {@code schema}. */
  synchronized Version lookup(String subject, String schemaType, String schema, JsonNode references,
      boolean includeDeleted) {
    if (live(subject, true).isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    String canonical = JsonSchemas.canonical(parse(schemaType, schema, references));
    return live(subject, includeDeleted).stream()
        .filter(v -> JsonSchemas.canonical(v.tree()).equals(canonical))
        .reduce((a, b) -> b)
        .orElseThrow(() -> RegistryException.schemaNotFound("Schema not found"));
  }

  /** Compatibility of {@code schema} with one version ({@code "latest"} or a number), or all if null. */
  synchronized List<String> compatibility(String subject, String version, String schemaType, String schema,
      JsonNode references) {
    JsonNode tree = parse(schemaType, schema, references);
    List<Version> live = live(subject, false);
    if (live.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    Compatibility level = level(subject);
    if (version == null) {
      Compatibility all = level.backward() && level.forward() ? Compatibility.FULL_TRANSITIVE
          : level.backward() ? Compatibility.BACKWARD_TRANSITIVE
          : level.forward() ? Compatibility.FORWARD_TRANSITIVE : Compatibility.NONE;
      return JsonSchemaCompatibility.check(all, tree, live);
    }
    Version against = version(subject, version, false);
    return JsonSchemaCompatibility.check(level, tree, List.of(against));
  }

  synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
    List<Version> all = live(subject, true);
    if (all.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    List<Integer> numbers = all.stream().map(Version::version).collect(Collectors.toList());
    if (permanent) {
      if (all.stream().anyMatch(v -> !v.deleted())) {
        throw RegistryException.subjectNotSoftDeleted(subject);
      }
      for (Version v : all) {
        write(schemaKey(subject, v.version()), null);
      }
      if (subjectLevels.containsKey(subject)) {
        write(configKey(subject), null);
      }
    } else {
      if (all.stream().allMatch(Version::deleted)) {
        throw RegistryException.subjectSoftDeleted(subject);
      }
      for (Version v : all) {
        if (!v.deleted()) {
          write(schemaKey(subject, v.version()), schemaValue(subject, v.version(), v.id(), v.schema(), true));
        }
      }
    }
    return numbers;
  }

  synchronized int deleteVersion(String subject, String version, boolean permanent) {
    if (live(subject, true).isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    Version v = permanent || !isLatest(version)
        ? version(subject, version, true) : version(subject, version, false);
    if (permanent) {
      if (!v.deleted()) {
        throw RegistryException.versionNotSoftDeleted(subject, v.version());
      }
      write(schemaKey(subject, v.version()), null);
    } else {
      if (v.deleted()) {
        throw RegistryException.versionSoftDeleted(subject, v.version());
      }
      write(schemaKey(subject, v.version()), schemaValue(subject, v.version(), v.id(), v.schema(), true));
    }
    return v.version();
  }

  // ---- schemas by id

  synchronized String schema(int id) {
    String schema = schemaById.get(id);
    if (schema == null) {
      throw RegistryException.schemaNotFound("Schema " + id + " not found");
    }
    return schema;
  }

  synchronized List<Version> versionsOf(int id) {
    schema(id);
    List<Version> out = new ArrayList<>();
    for (NavigableMap<Integer, Version> versions : subjects.values()) {
      versions.values().stream().filter(v -> v.id() == id && !v.deleted()).forEach(out::add);
    }
    return out;
  }

  // ---- compatibility levels

  synchronized Compatibility globalLevel() {
    return globalLevel;
  }

  synchronized Compatibility subjectLevel(String subject, boolean defaultToGlobal) {
    Compatibility level = subjectLevels.get(subject);
    if (level == null) {
      if (defaultToGlobal) {
        return globalLevel;
      }
      throw RegistryException.noSubjectConfig(subject);
    }
    return level;
  }

  synchronized Compatibility setLevel(String subject, String level) {
    Compatibility parsed = Compatibility.parse(level);
    write(configKey(subject), "{\"compatibilityLevel\":\"" + parsed + "\"}");
    return parsed;
  }

  synchronized Compatibility deleteSubjectLevel(String subject) {
    Compatibility old = subjectLevel(subject, false);
    write(configKey(subject), null);
    return old;
  }

  private Compatibility level(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  // ---- the log

  private void write(String key, String value) {
    log.append(key, value);
    apply(key, value);
  }

  /** Applies one log record (Confluent's format); unknown record types are skipped. */
  private void apply(String key, String value) {
    try {
      JsonNode k = JSON.readTree(key);
      String type = k.path("keytype").asText();
      if (type.equals("SCHEMA")) {
        String subject = k.path("subject").asText();
        int number = k.path("version").asInt();
        NavigableMap<Integer, Version> versions = subjects.computeIfAbsent(subject, s -> new TreeMap<>());
        if (value == null) {
          Version removed = versions.remove(number);
          if (versions.isEmpty()) {
            subjects.remove(subject);
          }
          if (removed != null) {
            forgetIfUnused(removed.id());
          }
          return;
        }
        JsonNode v = JSON.readTree(value);
        String schema = v.path("schema").asText();
        int id = v.path("id").asInt();
        JsonNode tree = JSON.readTree(schema);
        versions.put(number, new Version(subject, number, id, schema, tree, v.path("deleted").asBoolean(false)));
        schemaById.putIfAbsent(id, schema);
        idByCanonical.putIfAbsent(JsonSchemas.canonical(tree), id);
        maxId = Math.max(maxId, id);
      } else if (type.equals("CONFIG")) {
        JsonNode subject = k.get("subject");
        Compatibility level = value == null ? null
            : Compatibility.parse(JSON.readTree(value).path("compatibilityLevel").asText());
        if (subject == null || subject.isNull()) {
          globalLevel = level == null ? Compatibility.BACKWARD : level;
        } else if (level == null) {
          subjectLevels.remove(subject.asText());
        } else {
          subjectLevels.put(subject.asText(), level);
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable record in the schema log: " + key, e);
    }
  }

  private void forgetIfUnused(int id) {
    boolean used = subjects.values().stream().flatMap(v -> v.values().stream()).anyMatch(v -> v.id() == id);
    if (!used) {
      String schema = schemaById.remove(id);
      if (schema != null) {
        idByCanonical.values().remove(id);
      }
    }
  }

  private static String schemaKey(String subject, int version) {
    ObjectNode k = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version)
        .put("magic", 1);
    return k.toString();
  }

  private static String schemaValue(String subject, int version, int id, String schema, boolean deleted) {
    return JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
        .put("schemaType", JSON_TYPE).put("schema", schema).put("deleted", deleted).toString();
  }

  private static String configKey(String subject) {
    ObjectNode k = JSON.createObjectNode().put("keytype", "CONFIG");
    if (subject == null) {
      k.putNull("subject");
    } else {
      k.put("subject", subject);
    }
    return k.put("magic", 0).toString();
  }

  // ---- helpers

  private List<Version> live(String subject, boolean includeDeleted) {
    NavigableMap<Integer, Version> versions = subjects.get(subject);
    if (versions == null) {
      return List.of();
    }
    return versions.values().stream().filter(v -> includeDeleted || !v.deleted()).collect(Collectors.toList());
  }

  private static JsonNode parse(String schemaType, String schema, JsonNode references) {
    String type = schemaType == null ? "AVRO" : schemaType;
    if (!type.equals(JSON_TYPE)) {
      throw RegistryException.invalidSchema("schema type " + type + " is not supported: this registry holds JSON "
          + "Schema (send \"schemaType\": \"JSON\")");
    }
    if (references != null && references.isArray() && !references.isEmpty()) {
      throw RegistryException.invalidSchema("schema references are not supported");
    }
    return JsonSchemas.parse(schema);
  }

  private static boolean isLatest(String version) {
    return version.equals("latest") || version.equals("-1");
  }

  private static int parseVersion(String version) {
    try {
      int number = Integer.parseInt(version);
      if (number < 1) {
        throw RegistryException.invalidVersion(version);
      }
      return number;
    } catch (NumberFormatException e) {
      throw RegistryException.invalidVersion(version);
    }
  }
}
