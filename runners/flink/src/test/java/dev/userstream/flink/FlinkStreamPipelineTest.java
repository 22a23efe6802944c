package dev.userstream.flink;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import dev.userstream.stream.StreamPipelineOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;
import org.junit.Test;

public class FlinkStreamPipelineTest {
  /** A job whose state reads come from a script: a state, or null for "the cluster is gone". */
  private static final class ScriptedJob implements PipelineResult {
    private final Deque<State> states;

    ScriptedJob(State... states) {
      this.states = new ArrayDeque<>(List.of(states));
    }

    @Override
    public State getState() {
      State next = states.isEmpty() ? null : states.poll();
      if (next == null) {
        throw new IllegalStateException("MiniCluster is not yet running or has already been shut down.");
      }
      return next;
    }

    @Override
    public State cancel() {
      throw new UnsupportedOperationException();
    }

    @Override
    public State waitUntilFinish(Duration duration) {
      throw new UnsupportedOperationException();
    }

    @Override
    public State waitUntilFinish() {
      throw new UnsupportedOperationException();
    }

    @Override
    public MetricResults metrics() {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  public void refusesCheckpointsAndSavepoints() {
    for (String option : new String[] {"--checkpointingInterval=10000", "--savepointPath=/tmp/savepoint"}) {
      StreamPipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", option)
          .as(StreamPipelineOptions.class);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlinkStreamPipeline.run(options));
      assertThat(e.getMessage(), containsString(option.substring(2, option.indexOf('=')) + " is not supported"));
    }
  }

  @Test
  public void elementsPassBetweenStepsUncopiedAndTheJobIsSubmittedDetached() {
    StreamPipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--parallelism=3")
        .as(StreamPipelineOptions.class);
    FlinkStreamPipeline.configure(options);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    assertThat(flink.getFasterCopy(), equalTo(true));
    assertThat(flink.getAttachedMode(), equalTo(false));
    assertThat("a parallelism given is kept", flink.getParallelism(), equalTo(3));
  }

  @Test
  public void upsertsGoOutInSmallerGroupsOnFlinkThanOnOtherRunners() {
    assertThat(PipelineOptionsFactory.fromArgs("--runner=FlinkRunner").as(StreamPipelineOptions.class)
        .getCassandraSendGroup(), equalTo(8));
    assertThat(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(StreamPipelineOptions.class)
        .getCassandraSendGroup(), equalTo(64));
    assertThat("a group given is kept", PipelineOptionsFactory.fromArgs("--runner=FlinkRunner",
        "--cassandraSendGroup=32").as(StreamPipelineOptions.class).getCassandraSendGroup(), equalTo(32));
  }

  @Test
  public void waitsUntilTheJobEnds() throws Exception {
    PipelineResult job = new ScriptedJob(PipelineResult.State.RUNNING, PipelineResult.State.RUNNING,
        PipelineResult.State.CANCELLED);
    assertThat(FlinkStreamPipeline.awaitEnd(job, new AtomicBoolean(true)), equalTo(PipelineResult.State.CANCELLED));
  }

  @Test
  public void anEmbeddedClusterGoneAfterAStopIsACleanStop() throws Exception {
    PipelineResult job = new ScriptedJob(PipelineResult.State.RUNNING);
    assertThat(FlinkStreamPipeline.awaitEnd(job, new AtomicBoolean(true)), equalTo(PipelineResult.State.CANCELLED));
  }

  @Test
  public void aClusterGoneWithoutAStopIsAFailure() {
    PipelineResult job = new ScriptedJob(PipelineResult.State.RUNNING);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> FlinkStreamPipeline.awaitEnd(job, new AtomicBoolean(false)));
    assertThat(e.getMessage(), containsString("the Flink job ended: the cause is in Flink's log"));
  }
}
