package dev.userstream.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.sql.SQLException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class IngestPipelineTest {
  @Test
  public void aDatabaseFailureIsNamedWithWhatToDoNext() {
    RuntimeException wrapped = new RuntimeException("bundle failed",
        new IllegalStateException("write", new SQLException("FATAL: terminating connection due to administrator command")));
    assertThat(IngestPipeline.rootMessage(wrapped),
        equalTo("PostgreSQL: FATAL: terminating connection due to administrator command (what was staged is kept:"
            + " run again to stage the rest and publish every user once)"));
  }

  @Test
  public void aPageFailureKeepsItsOwnMessage() {
    RuntimeException wrapped = new RuntimeException("bundle failed", new PageFetchException("page 3 failed 5 times"));
    assertThat(IngestPipeline.rootMessage(wrapped), startsWith("page 3 failed"));
  }
}
