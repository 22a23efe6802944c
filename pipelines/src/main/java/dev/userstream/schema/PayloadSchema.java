package dev.userstream.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A JSON Schema that payloads are validated against; serializable (the text travels, the compiled
 * validator is built once per JVM copy). Where it came from (subject, version, id) is kept for
 * messages.
 */
public final class PayloadSchema implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How many violations a rejection reason lists. */
  private static final int MAX_REPORTED = 3;

  private final String text;
  private final String origin;
  private transient JsonSchema compiled;

  private PayloadSchema(String text, String origin) {
    this.text = text;
    this.origin = origin;
    compiled();
  }

  /** A schema from its text; {@code origin} says where it came from ("users.raw-value v1 (id 1)"). */
  public static PayloadSchema of(String text, String origin) {
    return new PayloadSchema(text, origin);
  }

  public String origin() {
    return origin;
  }

  /** The violations of {@code document}, at most three, each with its JSON path; empty when valid. */
  public List<String> violations(JsonNode document) {
    var errors = compiled().validate(document);
    if (errors.isEmpty()) {
      return List.of();
    }
    return errors.stream().map(ValidationMessage::getMessage).sorted().limit(MAX_REPORTED)
        .collect(Collectors.toList());
  }

  private JsonSchema compiled() {
    if (compiled == null) {
      try {
        JsonNode schema = JSON.readTree(text);
        VersionFlag draft = SpecVersionDetector.detectOptionalVersion(schema, false).orElse(VersionFlag.V7);
        compiled = JsonSchemaFactory.getInstance(draft).getSchema(schema);
      } catch (IOException e) {
        throw new UncheckedIOException("the schema " + origin + " is not JSON", e);
      }
    }
    return compiled;
  }
}
