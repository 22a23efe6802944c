package dev.userstream.flink;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userstream.model.Json;
import dev.userstream.testing.BundledJob;
import dev.userstream.testing.LocalStack;
import dev.userstream.testing.StreamScenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * The bundled jar submitted to the stack's Flink session cluster (its JobManager and TaskManager
 * in processes of their own) writes the same rows, and SIGTERM to the client cancels the job there.
 */
public class FlinkClusterStreamIT {
  @Test
  public void bundledJarOnTheSessionClusterStoresTheSameRows() throws Exception {
    try (LocalStack stack = new LocalStack()) {
      StreamScenario scenario = new StreamScenario(stack, 1000);
      stack.produce(scenario.records());
      List<String> args = new ArrayList<>(scenario.arguments());
      args.add("--runner=FlinkRunner");
      args.add("--flinkMaster=" + LocalStack.FLINK_MASTER);
      String jobName = "userstream-cluster-it-" + stack.id;
      args.add("--jobName=" + jobName);
      try (BundledJob job = BundledJob.start(BundledJob.jar("flink"), "cluster-" + stack.id, args)) {
        scenario.awaitDrained(Duration.ofMinutes(4), stack.consumerGroup, 1, job::isAlive);
        assertThat("the job runs on the cluster", status(jobName), equalTo("RUNNING"));
        assertThat(job.output(), containsString("Parallelism 3: one reader per partition of " + stack.inputTopic));
        job.requestStop();
        assertThat("SIGTERM stops the client cleanly; log " + job.log, job.awaitExit(Duration.ofMinutes(2)), equalTo(0));
      }
      assertThat("and the job on the cluster is cancelled", status(jobName), equalTo("CANCELED"));
      scenario.assertOutcome(1);
    }
  }

  /** The state of the cluster's job of that name, from Flink's REST API. */
  private static String status(String jobName) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    JsonNode jobs = Json.MAPPER.readTree(http.send(
        HttpRequest.newBuilder(URI.create("http://" + LocalStack.FLINK_MASTER + "/jobs/overview")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    for (JsonNode job : jobs.path("jobs")) {
      if (job.path("name").asText().equals(jobName)) {
        return job.path("state").asText();
      }
    }
    return "no job named " + jobName;
  }
}
