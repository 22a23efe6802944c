package dev.userstream.stream;

import dev.userstream.model.DeadLetter;
import dev.userstream.model.SourceRecord;
import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DoFn behind every stage of {@link ProcessUsers}: applies one step to each element and emits
 * the result on {@code outputTag}, or a {@link DeadLetter} naming the stage on {@code
 * deadLetterTag}. Nothing is dropped: a rejection and an unexpected exception alike become a dead
 * letter carrying the original record.
 */
final class StageFn<InT, OutT> extends DoFn<InT, OutT> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(StageFn.class);

  /** One stage's work on one element. */
  interface Step<InT, OutT> extends Serializable {
    OutT apply(InT in) throws RecordRejectedException;

    /** The original Kafka record behind {@code in}, for the dead letter. */
    SourceRecord sourceOf(InT in);
  }

  private final String stage;
  private final Step<InT, OutT> step;
  private final TupleTag<OutT> outputTag;
  private final TupleTag<DeadLetter> deadLetterTag;
  private final Counter passed;
  private final Counter rejected;

  StageFn(
      String stage,
      String passedCounter,
      Step<InT, OutT> step,
      TupleTag<OutT> outputTag,
      TupleTag<DeadLetter> deadLetterTag) {
    this.stage = stage;
    this.step = step;
    this.outputTag = outputTag;
    this.deadLetterTag = deadLetterTag;
    this.passed = Metrics.counter(StreamMetrics.NAMESPACE, passedCounter);
    this.rejected = Metrics.counter(StreamMetrics.NAMESPACE, stage + "_rejected");
  }

  @ProcessElement
  public void processElement(@Element InT in, MultiOutputReceiver out) {
    OutT result;
    try {
      result = step.apply(in);
    } catch (RecordRejectedException e) {
      reject(in, e, out);
      return;
    } catch (RuntimeException e) {
      // A bug or an input nobody foresaw: keep the record (with the stack's cause) and go on.
      LOG.warn("Stage {} failed unexpectedly on {}", stage, step.sourceOf(in).coordinates(), e);
      reject(in, e, out);
      return;
    }
    passed.inc();
    out.get(outputTag).output(result);
  }

  private void reject(InT in, Exception e, MultiOutputReceiver out) {
    rejected.inc();
    out.get(deadLetterTag)
        .output(DeadLetter.of(step.sourceOf(in), stage, e, System.currentTimeMillis()));
  }
}
