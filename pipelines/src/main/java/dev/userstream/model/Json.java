package dev.userstream.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson configuration used to read API payloads. */
public final class Json {
  /**
   * Strict about structure (trailing tokens are an error), tolerant about content (unknown fields
   * are ignored by the model). Source snippets stay out of error messages: the payload already
   * travels with the dead letter, and a multi-megabyte blob should not be copied into its reason.
   */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private Json() {}
}
