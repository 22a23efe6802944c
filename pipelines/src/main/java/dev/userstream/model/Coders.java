package dev.userstream.model;

import com.fasterxml.jackson.databind.ObjectReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.UUID;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * Compact, deterministic coders for the pipeline's element types. The Spark runner encodes every
 * output of a multi-output step, so these are on the hot path: plain field-by-field streams, no
 * Java serialization.
 */
public final class Coders {
  private Coders() {}

  /** Coder for {@link SourceRecord}. */
  public static final class SourceRecordCoder extends CustomCoder<SourceRecord> {
    private static final long serialVersionUID = 1L;
    private static final SourceRecordCoder INSTANCE = new SourceRecordCoder();

    public static SourceRecordCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(SourceRecord r, OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      writeBytes(d, r.key);
      writeBytes(d, r.payload);
      d.writeUTF(r.topic);
      d.writeInt(r.partition);
      d.writeLong(r.offset);
      d.writeLong(r.timestampMillis);
      d.flush();
    }

    @Override
    public SourceRecord decode(InputStream in) throws IOException {
      DataInputStream d = new DataInputStream(in);
      return new SourceRecord(
          readBytes(d), readBytes(d), d.readUTF(), d.readInt(), d.readLong(), d.readLong());
    }

    @Override
    public void verifyDeterministic() {}
  }

  /**
   * Coder for {@link ParsedUser}: encodes only the source record and parses the payload again on
   * decode, so the raw bytes stay the single source of truth.
   */
  public static final class ParsedUserCoder extends CustomCoder<ParsedUser> {
    private static final long serialVersionUID = 1L;
    private static final ParsedUserCoder INSTANCE = new ParsedUserCoder();
    private static final ObjectReader READER = Json.MAPPER.readerFor(RawUser.class);

    public static ParsedUserCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(ParsedUser p, OutputStream out) throws IOException {
      SourceRecordCoder.of().encode(p.source, out);
    }

    @Override
    public ParsedUser decode(InputStream in) throws IOException {
      SourceRecord source = SourceRecordCoder.of().decode(in);
      try {
        return new ParsedUser(source, READER.readValue(source.payload));
      } catch (IOException e) {
        throw new CoderException("payload of " + source.coordinates() + " no longer parses", e);
      }
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** Coder for {@link DeadLetter}. */
  public static final class DeadLetterCoder extends CustomCoder<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final DeadLetterCoder INSTANCE = new DeadLetterCoder();

    public static DeadLetterCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(DeadLetter l, OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      writeBytes(d, l.key);
      writeBytes(d, l.payload);
      writeString(d, l.source);
      writeString(d, l.stage);
      writeString(d, l.errorClass);
      writeString(d, l.errorMessage);
      d.writeLong(l.failedAtMillis);
      d.flush();
    }

    @Override
    public DeadLetter decode(InputStream in) throws IOException {
      DataInputStream d = new DataInputStream(in);
      return new DeadLetter(
          readBytes(d),
          readBytes(d),
          readString(d),
          readString(d),
          readString(d),
          readString(d),
          d.readLong());
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** Coder for {@link UserProfile}. */
  public static final class UserProfileCoder extends CustomCoder<UserProfile> {
    private static final long serialVersionUID = 1L;
    private static final UserProfileCoder INSTANCE = new UserProfileCoder();

    public static UserProfileCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(UserProfile p, OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      d.writeLong(p.id.getMostSignificantBits());
      d.writeLong(p.id.getLeastSignificantBits());
      writeString(d, p.title);
      writeString(d, p.firstName);
      writeString(d, p.lastName);
      writeString(d, p.gender);
      writeString(d, p.street);
      writeString(d, p.city);
      writeString(d, p.state);
      writeString(d, p.country);
      writeString(d, p.postcode);
      writeDouble(d, p.latitude);
      writeDouble(d, p.longitude);
      writeString(d, p.timezoneOffset);
      writeString(d, p.email);
      writeString(d, p.username);
      writeInstant(d, p.dob);
      writeInt(d, p.age);
      writeInstant(d, p.registeredAt);
      writeString(d, p.phone);
      writeString(d, p.cell);
      writeString(d, p.pictureUrl);
      writeString(d, p.nat);
      writeInstant(d, p.ingestedAt);
      d.flush();
    }

    @Override
    public UserProfile decode(InputStream in) throws IOException {
      DataInputStream d = new DataInputStream(in);
      return UserProfile.builder()
          .id(new UUID(d.readLong(), d.readLong()))
          .title(readString(d))
          .firstName(readString(d))
          .lastName(readString(d))
          .gender(readString(d))
          .street(readString(d))
          .city(readString(d))
          .state(readString(d))
          .country(readString(d))
          .postcode(readString(d))
          .latitude(readDouble(d))
          .longitude(readDouble(d))
          .timezoneOffset(readString(d))
          .email(readString(d))
          .username(readString(d))
          .dob(readInstant(d))
          .age(readInt(d))
          .registeredAt(readInstant(d))
          .phone(readString(d))
          .cell(readString(d))
          .pictureUrl(readString(d))
          .nat(readString(d))
          .ingestedAt(readInstant(d))
          .build();
    }

    @Override
    public void verifyDeterministic() {}
  }

  // Nullable field encodings: a presence byte, then the value. Strings as length-prefixed UTF-8
  // bytes, because writeUTF caps at 64 KiB and error messages or names have no such bound.

  static void writeBytes(DataOutputStream d, byte[] v) throws IOException {
    if (v == null) {
      d.writeInt(-1);
    } else {
      d.writeInt(v.length);
      d.write(v);
    }
  }

  static byte[] readBytes(DataInputStream d) throws IOException {
    int n = d.readInt();
    if (n < 0) {
      return null;
    }
    byte[] v = new byte[n];
    d.readFully(v);
    return v;
  }

  static void writeString(DataOutputStream d, String v) throws IOException {
    writeBytes(d, v == null ? null : v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String readString(DataInputStream d) throws IOException {
    byte[] b = readBytes(d);
    return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void writeDouble(DataOutputStream d, Double v) throws IOException {
    d.writeBoolean(v != null);
    if (v != null) {
      d.writeDouble(v);
    }
  }

  private static Double readDouble(DataInputStream d) throws IOException {
    return d.readBoolean() ? d.readDouble() : null;
  }

  private static void writeInt(DataOutputStream d, Integer v) throws IOException {
    d.writeBoolean(v != null);
    if (v != null) {
      d.writeInt(v);
    }
  }

  private static Integer readInt(DataInputStream d) throws IOException {
    return d.readBoolean() ? d.readInt() : null;
  }

  private static void writeInstant(DataOutputStream d, Instant v) throws IOException {
    d.writeBoolean(v != null);
    if (v != null) {
      d.writeLong(v.getEpochSecond());
      d.writeInt(v.getNano());
    }
  }

  private static Instant readInstant(DataInputStream d) throws IOException {
    return d.readBoolean() ? Instant.ofEpochSecond(d.readLong(), d.readInt()) : null;
  }
}
