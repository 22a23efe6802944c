package dev.userstream.stream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.userstream.model.Json;
import dev.userstream.model.RawUser;
import dev.userstream.schema.PayloadSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a Kafka payload into a {@link RawUser}, or rejects it saying why. With a {@link
 * PayloadSchema}, a payload that is JSON but breaks the schema is rejected by the {@link
 * Stage#SCHEMA} stage, naming the violations.
 */
public final class UserParser implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectReader READER = Json.MAPPER.readerFor(RawUser.class);

  private final int maxPayloadBytes;
  private final PayloadSchema schema;

  public UserParser(int maxPayloadBytes) {
    this(maxPayloadBytes, null);
  }

  /** Also validates each payload against {@code schema} (null: no schema check). */
  public UserParser(int maxPayloadBytes, PayloadSchema schema) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.schema = schema;
  }

  public RawUser parse(byte[] payload) throws RecordRejectedException {
    if (payload == null || payload.length == 0) {
      throw new RecordRejectedException("empty payload");
    }
    if (payload.length > maxPayloadBytes) {
      throw new RecordRejectedException(
          "payload of " + payload.length + " bytes exceeds the limit of " + maxPayloadBytes
              + " bytes (option maxPayloadBytes)");
    }
    requireUtf8(payload);
    RawUser user;
    try {
      if (schema == null) {
        user = READER.readValue(payload);
      } else {
        JsonNode document = Json.MAPPER.readTree(payload);
        if (document == null || document.isMissingNode()) {
          throw new RecordRejectedException("empty payload");
        }
        List<String> violations = schema.violations(document);
        if (!violations.isEmpty()) {
          throw new RecordRejectedException(Stage.SCHEMA,
              "violates " + schema.origin() + ": " + String.join("; ", violations));
        }
        user = READER.readValue(document);
      }
    } catch (JsonProcessingException e) {
      throw new RecordRejectedException(describe(e));
    } catch (IOException e) {
      throw new RecordRejectedException("unreadable payload: " + e.getMessage());
    }
    if (user == null) {
      throw new RecordRejectedException("payload is JSON null, not a user object");
    }
    return user;
  }

  private static void requireUtf8(byte[] payload) throws RecordRejectedException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(payload);
    try {
      decoder.decode(in);
    } catch (CharacterCodingException e) {
      throw new RecordRejectedException(
          "payload is not valid UTF-8 (bad byte sequence near byte " + in.position() + ")");
    }
  }

  private static String describe(JsonProcessingException e) {
    String what = e.getOriginalMessage();
    int newline = what.indexOf('\n');
    if (newline > 0) {
      what = what.substring(0, newline);
    }
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    String kind =
        e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException
            ? "JSON does not have the shape of a user"
            : "malformed JSON";
    return kind + where + ": " + what;
  }
}
