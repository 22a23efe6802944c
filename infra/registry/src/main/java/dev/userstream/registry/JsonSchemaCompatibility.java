package dev.userstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether one JSON Schema reads every document another one accepts, in the spirit of Confluent's
 * JSON Schema rules: types may widen, not narrow; a property may become optional, not required;
 * enums may grow; bounds may loosen; an open content model (additionalProperties absent or true)
 * may gain a property only if the property accepts anything, since data written with the earlier
 * schema may hold that name with any value; a closed model may gain optional properties.
 *
 * <p>The check is conservative: keywords it cannot reason about ($ref, allOf/anyOf/oneOf/not,
 * if/then/else, dependencies, patternProperties, ...) must be unchanged. Annotations (title,
 * description, default, examples, $comment, definitions) never matter.
 */
final class JsonSchemaCompatibility {
  /** Keywords compared for equality only. */
  private static final List<String> OPAQUE = List.of("$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
      "dependencies", "dependentRequired", "dependentSchemas", "patternProperties", "propertyNames", "const",
      "contains", "minContains", "maxContains", "additionalItems", "prefixItems", "unevaluatedItems",
      "unevaluatedProperties", "contentEncoding", "contentMediaType");
  /** Keywords whose new value must be the same as before, or absent. */
  private static final List<String> SAME_OR_DROPPED = List.of("pattern", "format", "multipleOf");
  private static final List<String> LOWER_BOUNDS = List.of("minimum", "exclusiveMinimum", "minLength", "minItems",
      "minProperties");
  private static final List<String> UPPER_BOUNDS = List.of("maximum", "exclusiveMaximum", "maxLength", "maxItems",
      "maxProperties");

  private JsonSchemaCompatibility() {}

  /**
   * What keeps {@code candidate} from being registered after {@code earlier} (oldest first) at
   * {@code level}; empty when it may be.
   */
  static List<String> check(Compatibility level, JsonNode candidate, List<Registry.Version> earlier) {
    List<String> problems = new ArrayList<>();
    if (level == Compatibility.NONE || earlier.isEmpty()) {
      return problems;
    }
    List<Registry.Version> against = level.transitive() ? earlier : List.of(earlier.get(earlier.size() - 1));
    for (Registry.Version old : against) {
      if (level.backward()) {
        for (String p : reads(candidate, old.tree())) {
          problems.add("BACKWARD against version " + old.version() + ": " + p);
        }
      }
      if (level.forward()) {
        for (String p : reads(old.tree(), candidate)) {
          problems.add("FORWARD against version " + old.version() + ": " + p);
        }
      }
    }
    return problems;
  }

  /** Why some document valid under {@code writer} may be invalid under {@code reader}; empty if none. */
  static List<String> reads(JsonNode reader, JsonNode writer) {
    List<String> out = new ArrayList<>();
    compare(reader, writer, "#", out);
    return out;
  }

  private static void compare(JsonNode reader, JsonNode writer, String path, List<String> out) {
    if (reader.equals(writer) || acceptsAnything(reader) || rejectsEverything(writer)) {
      return;
    }
    if (rejectsEverything(reader)) {
      out.add(path + ": the reading schema accepts nothing");
      return;
    }
    if (acceptsAnything(writer)) {
      out.add(path + ": the writing schema accepts any value here and the reading schema constrains it");
      return;
    }
    for (String keyword : OPAQUE) {
      if (!Objects.equals(reader.get(keyword), writer.get(keyword))) {
        out.add(path + ": '" + keyword + "' differs (this registry accepts only unchanged '" + keyword + "')");
      }
    }
    for (String keyword : SAME_OR_DROPPED) {
      JsonNode r = reader.get(keyword);
      if (r != null && !r.equals(writer.get(keyword))) {
        out.add(path + ": '" + keyword + "' added or changed to " + r);
      }
    }
    compareTypes(reader, writer, path, out);
    compareEnums(reader, writer, path, out);
    for (String keyword : LOWER_BOUNDS) {
      JsonNode r = reader.get(keyword);
      JsonNode w = writer.get(keyword);
      if (r != null && r.isNumber() && (w == null || !w.isNumber() || r.decimalValue().compareTo(w.decimalValue()) > 0)) {
        out.add(path + ": '" + keyword + "' added or raised to " + r);
      }
    }
    for (String keyword : UPPER_BOUNDS) {
      JsonNode r = reader.get(keyword);
      JsonNode w = writer.get(keyword);
      if (r != null && r.isNumber() && (w == null || !w.isNumber() || r.decimalValue().compareTo(w.decimalValue()) < 0)) {
        out.add(path + ": '" + keyword + "' added or lowered to " + r);
      }
    }
    if (reader.path("uniqueItems").asBoolean(false) && !writer.path("uniqueItems").asBoolean(false)) {
      out.add(path + ": 'uniqueItems' added");
    }
    compareRequired(reader, writer, path, out);
    compareProperties(reader, writer, path, out);
    JsonNode readerItems = reader.get("items");
    JsonNode writerItems = writer.get("items");
    if (readerItems != null || writerItems != null) {
      if ((readerItems != null && readerItems.isArray()) || (writerItems != null && writerItems.isArray())) {
        if (!Objects.equals(readerItems, writerItems)) {
          out.add(path + "/items: tuple 'items' differs (this registry accepts only unchanged tuples)");
        }
      } else {
        compare(orTrue(readerItems), orTrue(writerItems), path + "/items", out);
      }
    }
  }

  private static void compareTypes(JsonNode reader, JsonNode writer, String path, List<String> out) {
    Set<String> readerTypes = types(reader);
    if (readerTypes == null) {
      return;
    }
    Set<String> writerTypes = types(writer);
    if (writerTypes == null) {
      out.add(path + ": type restricted to " + readerTypes);
      return;
    }
    for (String type : writerTypes) {
      boolean widened = type.equals("integer") && readerTypes.contains("number");
      if (!readerTypes.contains(type) && !widened) {
        out.add(path + ": type '" + type + "' is no longer accepted (now " + readerTypes + ")");
      }
    }
  }

  private static void compareEnums(JsonNode reader, JsonNode writer, String path, List<String> out) {
    JsonNode readerEnum = reader.get("enum");
    if (readerEnum == null || !readerEnum.isArray()) {
      return;
    }
    JsonNode writerEnum = writer.get("enum");
    if (writerEnum == null || !writerEnum.isArray()) {
      out.add(path + ": 'enum' added");
      return;
    }
    Set<JsonNode> allowed = new LinkedHashSet<>();
    readerEnum.forEach(allowed::add);
    for (JsonNode value : writerEnum) {
      if (!allowed.contains(value)) {
        out.add(path + ": enum value " + value + " removed");
      }
    }
  }

  private static void compareRequired(JsonNode reader, JsonNode writer, String path, List<String> out) {
    Set<String> before = names(writer.get("required"));
    for (String name : names(reader.get("required"))) {
      if (!before.contains(name)) {
        out.add(path + ": property '" + name + "' became required");
      }
    }
  }

  private static void compareProperties(JsonNode reader, JsonNode writer, String path, List<String> out) {
    JsonNode readerProperties = reader.path("properties");
    JsonNode writerProperties = writer.path("properties");
    JsonNode readerRest = orTrue(reader.get("additionalProperties"));
    JsonNode writerRest = orTrue(writer.get("additionalProperties"));
    Set<String> names = new TreeSet<>();
    readerProperties.fieldNames().forEachRemaining(names::add);
    writerProperties.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode r = readerProperties.has(name) ? readerProperties.get(name) : readerRest;
      JsonNode w = writerProperties.has(name) ? writerProperties.get(name) : writerRest;
      String at = path + "/properties/" + name;
      if (!writerProperties.has(name) && acceptsAnything(w) && !acceptsAnything(r)) {
        out.add(at + ": property added to an open content model (data written before may hold '" + name
            + "' with any value)");
      } else if (!readerProperties.has(name) && rejectsEverything(r) && !rejectsEverything(w)) {
        out.add(at + ": property removed from a closed content model (data written before may hold it)");
      } else {
        compare(r, w, at, out);
      }
    }
    if (!readerRest.equals(writerRest)) {
      compare(readerRest, writerRest, path + "/additionalProperties", out);
    }
  }

  private static Set<String> types(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type == null) {
      return null;
    }
    Set<String> out = new TreeSet<>();
    if (type.isArray()) {
      type.forEach(t -> out.add(t.asText()));
    } else {
      out.add(type.asText());
    }
    return out;
  }

  private static Set<String> names(JsonNode array) {
    Set<String> out = new TreeSet<>();
    if (array != null && array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static JsonNode orTrue(JsonNode schema) {
    return schema == null ? com.fasterxml.jackson.databind.node.BooleanNode.TRUE : schema;
  }

  /** true, or an object with no assertion at all ({} or only annotations). */
  private static boolean acceptsAnything(JsonNode schema) {
    if (schema.isBoolean()) {
      return schema.booleanValue();
    }
    var fields = schema.fieldNames();
    while (fields.hasNext()) {
      if (!ANNOTATIONS.contains(fields.next())) {
        return false;
      }
    }
    return true;
  }

  private static boolean rejectsEverything(JsonNode schema) {
    return schema.isBoolean() && !schema.booleanValue();
  }

  private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "id", "$comment", "title", "description",
      "default", "examples", "readOnly", "writeOnly", "deprecated", "definitions", "$defs");
}
