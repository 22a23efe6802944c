package dev.userstream.stream;

import dev.userstream.model.Coders.DeadLetterCoder;
import dev.userstream.model.DeadLetter;
import dev.userstream.model.SourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * What the stages of {@link ProcessUsers} made of one Kafka record: a value, or the dead letter
 * that rejected it, and always the record's topic, partition and offset, so that {@link
 * StoreOutcomes} can commit the offset once the outcome is stored. Later stages pass dead letters
 * through untouched, so the stages chain as plain single-output steps (see {@link ProcessUsers}
 * for why).
 */
public final class Outcome<T> {
  public final T value;
  public final DeadLetter deadLetter;
  public final String topic;
  public final int partition;
  public final long offset;

  private Outcome(T value, DeadLetter deadLetter, String topic, int partition, long offset) {
    this.value = value;
    this.deadLetter = deadLetter;
    this.topic = Objects.requireNonNull(topic, "topic");
    this.partition = partition;
    this.offset = offset;
  }

  /** The record itself, before any stage. */
  static Outcome<SourceRecord> of(SourceRecord record) {
    return new Outcome<>(record, null, record.topic, record.partition, record.offset);
  }

  /** This record's next value. */
  <U> Outcome<U> withValue(U next) {
    return new Outcome<>(Objects.requireNonNull(next), null, topic, partition, offset);
  }

  /** This record, rejected. */
  <U> Outcome<U> rejectedAs(DeadLetter letter) {
    return new Outcome<>(null, Objects.requireNonNull(letter), topic, partition, offset);
  }

  public boolean isRejected() {
    return deadLetter != null;
  }

  /** The same rejection, typed for the next stage. */
  @SuppressWarnings("unchecked")
  <U> Outcome<U> asRejected() {
    return (Outcome<U>) this;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Outcome)) {
      return false;
    }
    Outcome<?> other = (Outcome<?>) o;
    return Objects.equals(value, other.value)
        && Objects.equals(deadLetter, other.deadLetter)
        && topic.equals(other.topic)
        && partition == other.partition
        && offset == other.offset;
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, deadLetter, partition, offset);
  }

  /** Coder of {@link Outcome}: the record's position, a flag, then the value or the dead letter. */
  public static final class OutcomeCoder<T> extends StructuredCoder<Outcome<T>> {
    private static final long serialVersionUID = 1L;
    private final Coder<T> valueCoder;

    private OutcomeCoder(Coder<T> valueCoder) {
      this.valueCoder = valueCoder;
    }

    public static <T> OutcomeCoder<T> of(Coder<T> valueCoder) {
      return new OutcomeCoder<>(valueCoder);
    }

    @Override
    public void encode(Outcome<T> o, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(o.topic, out);
      VarIntCoder.of().encode(o.partition, out);
      VarLongCoder.of().encode(o.offset, out);
      BooleanCoder.of().encode(o.isRejected(), out);
      if (o.isRejected()) {
        DeadLetterCoder.of().encode(o.deadLetter, out);
      } else {
        valueCoder.encode(o.value, out);
      }
    }

    @Override
    public Outcome<T> decode(InputStream in) throws IOException {
      String topic = StringUtf8Coder.of().decode(in);
      int partition = VarIntCoder.of().decode(in);
      long offset = VarLongCoder.of().decode(in);
      return BooleanCoder.of().decode(in)
          ? new Outcome<>(null, DeadLetterCoder.of().decode(in), topic, partition, offset)
          : new Outcome<>(valueCoder.decode(in), null, topic, partition, offset);
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(valueCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      valueCoder.verifyDeterministic();
    }
  }
}
