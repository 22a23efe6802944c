package dev.userstream.stream;

import dev.userstream.model.Coders.DeadLetterCoder;
import dev.userstream.model.DeadLetter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StructuredCoder;

/**
 * What one stage of {@link ProcessUsers} made of a record: a value, or the dead letter that
 * rejected it. Later stages pass dead letters through untouched, so the stages chain as plain
 * single-output steps and only the final split has two outputs (see {@link ProcessUsers} for why).
 */
final class Outcome<T> {
  final T value;
  final DeadLetter deadLetter;

  private Outcome(T value, DeadLetter deadLetter) {
    this.value = value;
    this.deadLetter = deadLetter;
  }

  static <T> Outcome<T> of(T value) {
    return new Outcome<>(Objects.requireNonNull(value), null);
  }

  static <T> Outcome<T> rejected(DeadLetter deadLetter) {
    return new Outcome<>(null, Objects.requireNonNull(deadLetter));
  }

  boolean isRejected() {
    return deadLetter != null;
  }

  /** The same rejection, typed for the next stage. */
  @SuppressWarnings("unchecked")
  <U> Outcome<U> asRejected() {
    return (Outcome<U>) this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome
        && Objects.equals(value, ((Outcome<?>) o).value)
        && Objects.equals(deadLetter, ((Outcome<?>) o).deadLetter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, deadLetter);
  }

  /** Coder of {@link Outcome}: a flag, then the value or the dead letter. */
  static final class OutcomeCoder<T> extends StructuredCoder<Outcome<T>> {
    private static final long serialVersionUID = 1L;
    private final Coder<T> valueCoder;

    private OutcomeCoder(Coder<T> valueCoder) {
      this.valueCoder = valueCoder;
    }

    static <T> OutcomeCoder<T> of(Coder<T> valueCoder) {
      return new OutcomeCoder<>(valueCoder);
    }

    @Override
    public void encode(Outcome<T> o, OutputStream out) throws IOException {
      BooleanCoder.of().encode(o.isRejected(), out);
      if (o.isRejected()) {
        DeadLetterCoder.of().encode(o.deadLetter, out);
      } else {
        valueCoder.encode(o.value, out);
      }
    }

    @Override
    public Outcome<T> decode(InputStream in) throws IOException {
      return BooleanCoder.of().decode(in)
          ? Outcome.rejected(DeadLetterCoder.of().decode(in))
          : Outcome.of(valueCoder.decode(in));
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
