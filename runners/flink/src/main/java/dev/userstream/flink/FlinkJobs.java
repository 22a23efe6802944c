package dev.userstream.flink;

import dev.userstream.shared.FailureMessages;
import java.lang.reflect.Field;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.runners.flink.FlinkDetachedRunnerResult;
import org.apache.beam.sdk.PipelineResult;
import org.apache.flink.core.execution.JobClient;

/** What Beam's result of a detached Flink job does not say. */
final class FlinkJobs {
  private FlinkJobs() {}

  /**
   * Why the job failed, from Flink's own result. Beam's {@link FlinkDetachedRunnerResult} reports
   * only the state and keeps the {@link JobClient} that knows the cause to itself, so it is read
   * from there; where that fails, the reason points at Flink's log.
   */
  static String failureOf(PipelineResult result) {
    String elsewhere = "the cause is in Flink's log (the JobManager's on a cluster)";
    if (!(result instanceof FlinkDetachedRunnerResult)) {
      return elsewhere;
    }
    try {
      Field field = FlinkDetachedRunnerResult.class.getDeclaredField("jobClient");
      field.setAccessible(true);
      JobClient client = (JobClient) field.get(result);
      client.getJobExecutionResult().get(10, TimeUnit.SECONDS);
      return elsewhere;
    } catch (ExecutionException e) {
      return FailureMessages.innermost(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return elsewhere;
    } catch (ReflectiveOperationException | RuntimeException | TimeoutException e) {
      return elsewhere;
    }
  }
}
