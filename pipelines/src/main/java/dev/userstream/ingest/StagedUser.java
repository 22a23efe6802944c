package dev.userstream.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** A fetched user on its way into the staging table: key, raw JSON (UTF-8) and where it came from. */
record StagedUser(String uuid, byte[] payload, String seed, int page, long fetchedAtMicros) {

  OffsetDateTime fetchedAt() {
    return timestamp(fetchedAtMicros);
  }

  static OffsetDateTime timestamp(long micros) {
    return OffsetDateTime.ofInstant(Instant.EPOCH.plusNanos(micros * 1000), ZoneOffset.UTC);
  }

  static long micros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /** A compact coder: the payload dominates, and nothing else about the record needs a schema. */
  static final class Coder extends AtomicCoder<StagedUser> {
    private static final long serialVersionUID = 1L;
    static final Coder INSTANCE = new Coder();
    private static final StringUtf8Coder TEXT = StringUtf8Coder.of();
    private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

    @Override
    public void encode(StagedUser u, OutputStream out) throws IOException {
      TEXT.encode(u.uuid, out);
      BYTES.encode(u.payload, out);
      TEXT.encode(u.seed, out);
      VarIntCoder.of().encode(u.page, out);
      VarLongCoder.of().encode(u.fetchedAtMicros, out);
    }

    @Override
    public StagedUser decode(InputStream in) throws IOException {
      return new StagedUser(
          TEXT.decode(in), BYTES.decode(in), TEXT.decode(in), VarIntCoder.of().decode(in), VarLongCoder.of().decode(in));
    }
  }
}
