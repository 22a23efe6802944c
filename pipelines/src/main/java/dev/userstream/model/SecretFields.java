package dev.userstream.model;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API's secret fields ({@code login.password}, {@code salt}, {@code md5}, {@code sha1},
 * {@code sha256}), removed from whatever leaves staging: a dead letter carries its payload with
 * their values replaced by {@value #REDACTED}, wherever in the document they appear.
 *
 * <p>A payload that is JSON is rewritten from its tree (so escaped names are caught too). One that
 * is not (truncated, malformed, not UTF-8) is redacted textually, byte for byte everywhere else:
 * a {@code "password": "value"} pair, or a value cut off by the end of the payload, loses its value.
 */
public final class SecretFields {
  /** The field names, as the API's contract lists them. */
  public static final Set<String> NAMES = Set.of("password", "salt", "md5", "sha1", "sha256");
  public static final String REDACTED = "[redacted]";

  /** "name" : value, where value is a string (possibly cut off by the end) or a bare token. */
  private static final Pattern TEXTUAL =
      Pattern.compile("(\"(?:password|salt|md5|sha1|sha256)\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*(?:\"|\\\\?$)|[^,}\\]\\s]+)");

  private SecretFields() {}

  /** {@code payload} without the secret values; the same array when it has none. */
  public static byte[] redact(byte[] payload) {
    if (payload == null || payload.length == 0) {
      return payload;
    }
    // ISO-8859-1 maps every byte to one char and back, so bytes outside the secrets (invalid
    // UTF-8 included) come out unchanged.
    String text = new String(payload, ISO_8859_1);
    if (!mayHoldSecrets(text)) {
      return payload;
    }
    try {
      JsonNode tree = Json.MAPPER.readTree(payload);
      if (tree != null) {
        return redactTree(tree) ? Json.MAPPER.writeValueAsBytes(tree) : payload;
      }
    } catch (IOException notJson) {
      // Truncated, malformed or not UTF-8: redacted as text below.
    }
    String redacted = redactText(text);
    return redacted.equals(text) ? payload : redacted.getBytes(ISO_8859_1);
  }

  /** {@code text} (an error message, say) without secret values that appear in it as JSON pairs. */
  public static String redactText(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = TEXTUAL.matcher(text);
    return m.find() ? m.replaceAll("$1\"" + REDACTED + "\"") : text;
  }

  private static boolean mayHoldSecrets(String text) {
    for (String name : NAMES) {
      if (text.contains(name)) {
        return true;
      }
    }
    // An escaped name ("pass\\u0077ord") reads as one only once parsed.
    return text.contains("\\u");
  }

  private static boolean redactTree(JsonNode node) {
    boolean changed = false;
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (NAMES.contains(field.getKey())) {
          if (!field.getValue().isTextual() || !REDACTED.equals(field.getValue().asText())) {
            field.setValue(object.textNode(REDACTED));
            changed = true;
          }
        } else {
          changed |= redactTree(field.getValue());
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        changed |= redactTree(element);
      }
    }
    return changed;
  }
}
