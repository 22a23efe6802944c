package dev.userstream.stream;

import dev.userstream.model.Coders.DeadLetterCoder;
import dev.userstream.model.Coders.ParsedUserCoder;
import dev.userstream.model.Coders.SourceRecordCoder;
import dev.userstream.model.Coders.UserProfileCoder;
import dev.userstream.model.DeadLetter;
import dev.userstream.model.ParsedUser;
import dev.userstream.model.SourceRecord;
import dev.userstream.model.UserProfile;
import dev.userstream.schema.PayloadSchema;
import dev.userstream.stream.Outcome.OutcomeCoder;
import java.time.Instant;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Source records in, profiles and dead letters out: {@link ParseUsers} (with the topic's JSON
 * Schema when one is given), then {@link
 * ValidateUsers}, then {@link ToProfiles}, then one split into {@link #PROFILES} and {@link
 * #DEAD_LETTERS}. Every input ends on exactly one of the two outputs; a dead letter names the
 * stage that rejected it.
 *
 * <pre>{@code
 * PCollectionTuple out = records.apply("ProcessUsers", ProcessUsers.withMaxPayloadBytes(1 << 20));
 * out.get(ProcessUsers.PROFILES);      // PCollection<UserProfile>
 * out.get(ProcessUsers.DEAD_LETTERS);  // PCollection<DeadLetter>
 * }</pre>
 *
 * <p>Why the stages pass {@link Outcome}s instead of each having a dead-letter output: the Spark
 * runner encodes, caches and decodes every element of a step with two outputs once per output,
 * while it chains single-output steps with no encoding at all. Three two-output stages cost the
 * drain benchmark more than half its throughput; one split at the end costs one cheap round.
 */
public final class ProcessUsers extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Typed profiles, ready to upsert. */
  public static final TupleTag<UserProfile> PROFILES = new TupleTag<UserProfile>("profiles") {};
  /** Every rejected record, whatever the stage. */
  public static final TupleTag<DeadLetter> DEAD_LETTERS =
      new TupleTag<DeadLetter>("dead-letters") {};

  private final int maxPayloadBytes;
  private final PayloadSchema schema;

  private ProcessUsers(int maxPayloadBytes, PayloadSchema schema) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.schema = schema;
  }

  /** Payloads larger than {@code maxPayloadBytes} are dead-lettered unparsed. */
  public static ProcessUsers withMaxPayloadBytes(int maxPayloadBytes) {
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes must be positive, got " + maxPayloadBytes);
    }
    return new ProcessUsers(maxPayloadBytes, null);
  }

  /** Payloads that break {@code schema} are dead-lettered by the {@link Stage#SCHEMA} stage. */
  public ProcessUsers withSchema(PayloadSchema schema) {
    return new ProcessUsers(maxPayloadBytes, schema);
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    PCollectionTuple out =
        records
            .apply("ToOutcomes", toOutcomes())
            .apply(
                "SplitOutcomes",
                ParDo.of(new SplitFn()).withOutputTags(PROFILES, TupleTagList.of(DEAD_LETTERS)));
    out.get(PROFILES).setCoder(UserProfileCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  /**
   * The same stages without the final split: one {@link Outcome} per record, profile or dead
   * letter, with the record's offset. The streaming pipeline stores these with {@link
   * StoreOutcomes}, which needs both kinds in one step to commit an offset only when everything
   * before it is stored.
   */
  public ToOutcomes toOutcomes() {
    return new ToOutcomes(maxPayloadBytes, schema);
  }

  /** {@link ParseUsers}, then {@link ValidateUsers}, then {@link ToProfiles}. */
  public static final class ToOutcomes
      extends PTransform<PCollection<SourceRecord>, PCollection<Outcome<UserProfile>>> {
    private static final long serialVersionUID = 1L;
    private final int maxPayloadBytes;
    private final PayloadSchema schema;

    private ToOutcomes(int maxPayloadBytes, PayloadSchema schema) {
      this.maxPayloadBytes = maxPayloadBytes;
      this.schema = schema;
    }

    @Override
    public PCollection<Outcome<UserProfile>> expand(PCollection<SourceRecord> records) {
      return records
          .apply("ParseUsers", new ParseUsers(new UserParser(maxPayloadBytes, schema)))
          .apply("ValidateUsers", new ValidateUsers())
          .apply("ToProfiles", new ToProfiles());
    }
  }

  /**
   * Payload bytes -> {@link ParsedUser}; rejects empty, oversized, non-UTF-8, non-JSON, wrong shape,
   * and (with a schema) schema violations.
   */
  static final class ParseUsers
      extends PTransform<PCollection<SourceRecord>, PCollection<Outcome<ParsedUser>>> {
    private static final long serialVersionUID = 1L;
    private final UserParser parser;

    ParseUsers(UserParser parser) {
      this.parser = parser;
    }

    @Override
    public PCollection<Outcome<ParsedUser>> expand(PCollection<SourceRecord> records) {
      StageFn.Step<SourceRecord, ParsedUser> step =
          new StageFn.Step<SourceRecord, ParsedUser>() {
            private static final long serialVersionUID = 1L;

            @Override
            public ParsedUser apply(SourceRecord r) throws RecordRejectedException {
              return new ParsedUser(r, parser.parse(r.payload));
            }

            @Override
            public SourceRecord sourceOf(SourceRecord r) {
              return r;
            }
          };
      return records
          .apply("Wrap", MapElements.into(new TypeDescriptor<Outcome<SourceRecord>>() {}).via(Outcome::of))
          .setCoder(OutcomeCoder.of(SourceRecordCoder.of()))
          .apply("Parse", ParDo.of(new StageFn<>(Stage.PARSE, StreamMetrics.PARSED, step)))
          .setCoder(OutcomeCoder.of(ParsedUserCoder.of()));
    }
  }

  /** Keeps the users that meet {@link UserValidator}'s rules; rejects the rest. */
  static final class ValidateUsers
      extends PTransform<PCollection<Outcome<ParsedUser>>, PCollection<Outcome<ParsedUser>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public PCollection<Outcome<ParsedUser>> expand(PCollection<Outcome<ParsedUser>> users) {
      ParsedUserStep<ParsedUser> step =
          new ParsedUserStep<ParsedUser>() {
            private static final long serialVersionUID = 1L;

            @Override
            public ParsedUser apply(ParsedUser p) throws RecordRejectedException {
              UserValidator.validate(p.user);
              return p;
            }
          };
      return users
          .apply("Validate", ParDo.of(new StageFn<>(Stage.VALIDATE, StreamMetrics.VALID, step)))
          .setCoder(OutcomeCoder.of(ParsedUserCoder.of()));
    }
  }

  /** Valid users -> {@link UserProfile}, stamped with the Kafka record's timestamp. */
  static final class ToProfiles
      extends PTransform<PCollection<Outcome<ParsedUser>>, PCollection<Outcome<UserProfile>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public PCollection<Outcome<UserProfile>> expand(PCollection<Outcome<ParsedUser>> users) {
      ParsedUserStep<UserProfile> step =
          new ParsedUserStep<UserProfile>() {
            private static final long serialVersionUID = 1L;

            @Override
            public UserProfile apply(ParsedUser p) throws RecordRejectedException {
              return ProfileMapper.toProfile(
                  p.user, Instant.ofEpochMilli(p.source.timestampMillis));
            }
          };
      return users
          .apply("Map", ParDo.of(new StageFn<>(Stage.TRANSFORM, StreamMetrics.PROFILES, step)))
          .setCoder(OutcomeCoder.of(UserProfileCoder.of()));
    }
  }

  /** A step on a parsed user, whose original record it carries. */
  private abstract static class ParsedUserStep<OutT> implements StageFn.Step<ParsedUser, OutT> {
    private static final long serialVersionUID = 1L;

    @Override
    public SourceRecord sourceOf(ParsedUser p) {
      return p.source;
    }
  }

  /** Profiles to {@link #PROFILES}, dead letters to {@link #DEAD_LETTERS}. */
  private static final class SplitFn extends DoFn<Outcome<UserProfile>, UserProfile> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void processElement(@Element Outcome<UserProfile> o, MultiOutputReceiver out) {
      if (o.isRejected()) {
        out.get(DEAD_LETTERS).output(o.deadLetter);
      } else {
        out.get(PROFILES).output(o.value);
      }
    }
  }
}
