package dev.userstream.stream;

import dev.userstream.model.DeadLetter;
import dev.userstream.model.SourceRecord;
import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DoFn behind every stage of {@link ProcessUsers}: applies one step to each value, turning a
 * rejection, or an unexpected exception, into a dead letter that names the stage and carries the
 * original record. Outcomes already rejected upstream pass through untouched. Nothing is dropped.
 */
final class StageFn<InT, OutT> extends DoFn<Outcome<InT>, Outcome<OutT>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(StageFn.class);

  /** One stage's work on one value. */
  interface Step<InT, OutT> extends Serializable {
    OutT apply(InT in) throws RecordRejectedException;

    /** The original Kafka record behind {@code in}, for the dead letter. */
    SourceRecord sourceOf(InT in);
  }

  private final String stage;
  private final Step<InT, OutT> step;
  private final Counter passed;
  private final Counter rejected;

  StageFn(String stage, String passedCounter, Step<InT, OutT> step) {
    this.stage = stage;
    this.step = step;
    this.passed = Metrics.counter(StreamMetrics.NAMESPACE, passedCounter);
    this.rejected = Metrics.counter(StreamMetrics.NAMESPACE, stage + "_rejected");
  }

  @ProcessElement
  public void processElement(@Element Outcome<InT> in, OutputReceiver<Outcome<OutT>> out) {
    if (in.isRejected()) {
      out.output(in.asRejected());
      return;
    }
    try {
      OutT result = step.apply(in.value);
      passed.inc();
      out.output(in.withValue(result));
    } catch (RecordRejectedException e) {
      out.output(reject(in, e));
    } catch (RuntimeException e) {
      // A bug or an input nobody foresaw: keep the record (with the cause) and go on.
      LOG.warn("Stage {} failed unexpectedly on {}", stage, step.sourceOf(in.value).coordinates(), e);
      out.output(reject(in, e));
    }
  }

  private Outcome<OutT> reject(Outcome<InT> in, Exception e) {
    String by = e instanceof RecordRejectedException && ((RecordRejectedException) e).stage() != null
        ? ((RecordRejectedException) e).stage() : stage;
    if (by.equals(stage)) {
      rejected.inc();
    } else {
      Metrics.counter(StreamMetrics.NAMESPACE, by + "_rejected").inc();
    }
    return in.rejectedAs(DeadLetter.of(step.sourceOf(in.value), by, e, System.currentTimeMillis()));
  }
}
