package dev.userstream.stream;

import dev.userstream.model.Coders.DeadLetterCoder;
import dev.userstream.model.Coders.ParsedUserCoder;
import dev.userstream.model.Coders.UserProfileCoder;
import dev.userstream.model.DeadLetter;
import dev.userstream.model.ParsedUser;
import dev.userstream.model.SourceRecord;
import dev.userstream.model.UserProfile;
import java.time.Instant;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Source records in, profiles and dead letters out: {@link ParseUsers}, then {@link
 * ValidateUsers}, then {@link ToProfiles}, with the dead letters of all three flattened into one
 * output. Every input ends on exactly one of the two outputs.
 *
 * <pre>{@code
 * PCollectionTuple out = records.apply("ProcessUsers", ProcessUsers.withMaxPayloadBytes(1 << 20));
 * out.get(ProcessUsers.PROFILES);      // PCollection<UserProfile>
 * out.get(ProcessUsers.DEAD_LETTERS);  // PCollection<DeadLetter>
 * }</pre>
 */
public final class ProcessUsers extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Typed profiles, ready to upsert. */
  public static final TupleTag<UserProfile> PROFILES = new TupleTag<UserProfile>("profiles") {};
  /** Every rejected record, whatever the stage. */
  public static final TupleTag<DeadLetter> DEAD_LETTERS =
      new TupleTag<DeadLetter>("dead-letters") {};

  private final int maxPayloadBytes;

  private ProcessUsers(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** Payloads larger than {@code maxPayloadBytes} are dead-lettered unparsed. */
  public static ProcessUsers withMaxPayloadBytes(int maxPayloadBytes) {
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes must be positive, got " + maxPayloadBytes);
    }
    return new ProcessUsers(maxPayloadBytes);
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    PCollectionTuple parsed = records.apply("ParseUsers", new ParseUsers(maxPayloadBytes));
    PCollectionTuple validated =
        parsed.get(ParseUsers.PARSED).apply("ValidateUsers", new ValidateUsers());
    PCollectionTuple mapped =
        validated.get(ValidateUsers.VALID).apply("ToProfiles", new ToProfiles());
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(parsed.get(ParseUsers.DEAD_LETTERS))
            .and(validated.get(ValidateUsers.DEAD_LETTERS))
            .and(mapped.get(ToProfiles.DEAD_LETTERS))
            .apply("CollectDeadLetters", Flatten.pCollections())
            .setCoder(DeadLetterCoder.of());
    return PCollectionTuple.of(PROFILES, mapped.get(ToProfiles.PROFILES))
        .and(DEAD_LETTERS, deadLetters);
  }

  /** Payload bytes -> {@link ParsedUser}; rejects empty, oversized, non-UTF-8, non-JSON, wrong shape. */
  public static final class ParseUsers
      extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
    private static final long serialVersionUID = 1L;
    public static final TupleTag<ParsedUser> PARSED = new TupleTag<ParsedUser>("parsed") {};
    public static final TupleTag<DeadLetter> DEAD_LETTERS =
        new TupleTag<DeadLetter>("parse-dead-letters") {};

    private final int maxPayloadBytes;

    ParseUsers(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public PCollectionTuple expand(PCollection<SourceRecord> records) {
      UserParser parser = new UserParser(maxPayloadBytes);
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
      return applyStage(records, Stage.PARSE, StreamMetrics.PARSED, step, PARSED, DEAD_LETTERS)
          .setCoder(ParsedUserCoder.of());
    }
  }

  /** Keeps the users that meet {@link UserValidator}'s rules; dead-letters the rest. */
  public static final class ValidateUsers
      extends PTransform<PCollection<ParsedUser>, PCollectionTuple> {
    private static final long serialVersionUID = 1L;
    public static final TupleTag<ParsedUser> VALID = new TupleTag<ParsedUser>("valid") {};
    public static final TupleTag<DeadLetter> DEAD_LETTERS =
        new TupleTag<DeadLetter>("validate-dead-letters") {};

    @Override
    public PCollectionTuple expand(PCollection<ParsedUser> users) {
      StageFn.Step<ParsedUser, ParsedUser> step =
          new StageFn.Step<ParsedUser, ParsedUser>() {
            private static final long serialVersionUID = 1L;

            @Override
            public ParsedUser apply(ParsedUser p) throws RecordRejectedException {
              UserValidator.validate(p.user);
              return p;
            }

            @Override
            public SourceRecord sourceOf(ParsedUser p) {
              return p.source;
            }
          };
      return applyStage(users, Stage.VALIDATE, StreamMetrics.VALID, step, VALID, DEAD_LETTERS)
          .setCoder(ParsedUserCoder.of());
    }
  }

  /** Valid users -> {@link UserProfile}, stamped with the Kafka record's timestamp. */
  public static final class ToProfiles
      extends PTransform<PCollection<ParsedUser>, PCollectionTuple> {
    private static final long serialVersionUID = 1L;
    public static final TupleTag<UserProfile> PROFILES = new TupleTag<UserProfile>("mapped") {};
    public static final TupleTag<DeadLetter> DEAD_LETTERS =
        new TupleTag<DeadLetter>("transform-dead-letters") {};

    @Override
    public PCollectionTuple expand(PCollection<ParsedUser> users) {
      StageFn.Step<ParsedUser, UserProfile> step =
          new StageFn.Step<ParsedUser, UserProfile>() {
            private static final long serialVersionUID = 1L;

            @Override
            public UserProfile apply(ParsedUser p) throws RecordRejectedException {
              return ProfileMapper.toProfile(
                  p.user, Instant.ofEpochMilli(p.source.timestampMillis));
            }

            @Override
            public SourceRecord sourceOf(ParsedUser p) {
              return p.source;
            }
          };
      return applyStage(users, Stage.TRANSFORM, StreamMetrics.PROFILES, step, PROFILES, DEAD_LETTERS)
          .setCoder(UserProfileCoder.of());
    }
  }

  /** Applies a {@link StageFn} as a multi-output ParDo and sets the dead-letter coder. */
  private static <InT, OutT> StageResult<OutT> applyStage(
      PCollection<InT> input,
      String stage,
      String passedCounter,
      StageFn.Step<InT, OutT> step,
      TupleTag<OutT> outputTag,
      TupleTag<DeadLetter> deadLetterTag) {
    PCollectionTuple out =
        input.apply(
            "Apply",
            ParDo.of(new StageFn<>(stage, passedCounter, step, outputTag, deadLetterTag))
                .withOutputTags(outputTag, TupleTagList.of(deadLetterTag)));
    out.get(deadLetterTag).setCoder(DeadLetterCoder.of());
    return new StageResult<>(out, outputTag);
  }

  /** The output tuple of one stage, with a way to set its main output's coder inline. */
  private static final class StageResult<OutT> {
    private final PCollectionTuple tuple;
    private final TupleTag<OutT> outputTag;

    StageResult(PCollectionTuple tuple, TupleTag<OutT> outputTag) {
      this.tuple = tuple;
      this.outputTag = outputTag;
    }

    PCollectionTuple setCoder(org.apache.beam.sdk.coders.Coder<OutT> coder) {
      tuple.get(outputTag).setCoder(coder);
      return tuple;
    }
  }
}
