package dev.userstream.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The users.raw value schema shipped in the jar (a copy of infra/schemas/users.raw-value.json). */
public final class UserSchema {
  static final String RESOURCE = "userstream/schemas/users.raw-value.json";

  private UserSchema() {}

  /** The schema's text. */
  public static String text() {
    try (InputStream in = UserSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE, e);
    }
  }

  /** The subject of a topic's values, as Confluent's TopicNameStrategy names it. */
  public static String subjectOf(String topic) {
    return topic + "-value";
  }
}
