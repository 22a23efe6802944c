package dev.userstream.stream;

/** Names of the Beam counters of the streaming pipeline, shared by code, tests and docs. */
public final class StreamMetrics {
  public static final String NAMESPACE = "userstream";
  /** Records read from the input topic. */
  public static final String READ = "read";
  /** Payloads that parsed as a user object. */
  public static final String PARSED = "parsed";
  /** Parsed users that passed validation. */
  public static final String VALID = "valid";
  /** Users rejected by validation (the "invalid"). */
  public static final String INVALID = Stage.VALIDATE + "_rejected";
  /** Profiles built. */
  public static final String PROFILES = "profiles";
  /** Profiles whose upsert Cassandra acknowledged. */
  public static final String WRITTEN = "written";
  /** Dead letters handed to the dead-letter topic writer (a failed send fails the bundle). */
  public static final String DEAD_LETTERED = "dead_lettered";

  private StreamMetrics() {}
}
