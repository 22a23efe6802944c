package dev.userstream.profiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque cursors: Cassandra's paging state, signed (HMAC-SHA256) together with the filters it was
 * issued for. A cursor that was not issued by this API, was altered, or is used with other filters
 * is refused before Cassandra sees it, so a forged paging state never reaches the database.
 */
final class Cursors {
  private static final String ALGORITHM = "HmacSHA256";
  private static final int TAG_BYTES = 16;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  Cursors(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("a cursor key needs at least 16 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
  }

  /** Keyed by the file's contents, or by a random key (cursors then end with the process). */
  static Cursors fromKeyFile(String keyFile) {
    if (keyFile == null || keyFile.isEmpty()) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      return new Cursors(random);
    }
    try {
      return new Cursors(Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the cursor key from " + Path.of(keyFile).toAbsolutePath() + ": " + e, e);
    }
  }

  /** The cursor of {@code pagingState} for a query with these canonical filters. */
  String issue(String canonicalFilters, ByteBuffer pagingState) {
    byte[] state = bytes(pagingState);
    byte[] tag = tag(canonicalFilters, state);
    return ENCODER.encodeToString(ByteBuffer.allocate(state.length + TAG_BYTES).put(state).put(tag).array());
  }

  /** The paging state a cursor carries, if this API issued it for these filters. */
  ByteBuffer open(String canonicalFilters, String cursor) throws BadRequest {
    byte[] raw;
    try {
      raw = DECODER.decode(cursor);
    } catch (IllegalArgumentException e) {
      raw = new byte[0];
    }
    if (raw.length <= TAG_BYTES) {
      throw forged();
    }
    byte[] state = Arrays.copyOf(raw, raw.length - TAG_BYTES);
    byte[] tag = Arrays.copyOfRange(raw, raw.length - TAG_BYTES, raw.length);
    if (!MessageDigest.isEqual(tag, tag(canonicalFilters, state))) {
      throw forged();
    }
    return ByteBuffer.wrap(state);
  }

  private static BadRequest forged() {
    return new BadRequest("cursor: not one this API issued for these filters (use the 'next' of the previous page,"
        + " with the same filters)");
  }

  private byte[] tag(String canonicalFilters, byte[] state) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(canonicalFilters.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return Arrays.copyOf(mac.doFinal(state), TAG_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
