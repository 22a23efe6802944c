package dev.userstream.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Parses JSON Schemas and checks them against their draft's meta-schema (draft-07 when none is named). */
final class JsonSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<VersionFlag, String> META_SCHEMAS = new EnumMap<>(Map.of(
      VersionFlag.V4, "https://json-schema.org/draft-04/schema",
      VersionFlag.V6, "https://json-schema.org/draft-06/schema",
      VersionFlag.V7, "https://json-schema.org/draft-07/schema",
      VersionFlag.V201909, "https://json-schema.org/draft/2019-09/schema",
      VersionFlag.V202012, "https://json-schema.org/draft/2020-12/schema"));
  private static final Map<VersionFlag, JsonSchema> META = new EnumMap<>(VersionFlag.class);

  private JsonSchemas() {}

  /** The schema as a tree, or 42201 naming what is wrong with it. */
  static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      throw RegistryException.invalidSchema("the schema is empty");
    }
    JsonNode schema;
    try {
      schema = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw RegistryException.invalidSchema("not JSON: " + e.getOriginalMessage());
    }
    if (!schema.isObject() && !schema.isBoolean()) {
      throw RegistryException.invalidSchema("a JSON Schema is an object or a boolean, was " + schema.getNodeType());
    }
    if (schema.isObject()) {
      VersionFlag draft;
      try {
        draft = SpecVersionDetector.detectOptionalVersion(schema, true).orElse(VersionFlag.V7);
      } catch (RuntimeException e) {
        throw RegistryException.invalidSchema("unsupported $schema " + schema.get("$schema"));
      }
      Set<ValidationMessage> errors = meta(draft).validate(schema);
      if (!errors.isEmpty()) {
        throw RegistryException.invalidSchema(errors.stream().map(ValidationMessage::getMessage).sorted()
            .collect(Collectors.joining("; ")));
      }
    }
    return schema;
  }

  /** The same schema with object keys sorted: equal for schemas that differ only in key order. */
  static String canonical(JsonNode schema) {
    try {
      return JSON.writeValueAsString(sorted(schema));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      for (String name : names) {
        out.set(name, sorted(node.get(name)));
      }
      return out;
    }
    if (node.isArray()) {
      var out = JSON.createArrayNode();
      node.forEach(element -> out.add(sorted(element)));
      return out;
    }
    return node;
  }

  private static synchronized JsonSchema meta(VersionFlag draft) {
    return META.computeIfAbsent(draft, d -> JsonSchemaFactory.getInstance(d)
        .getSchema(SchemaLocation.of(META_SCHEMAS.get(d))));
  }
}
