package dev.userstream.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.sql.BatchUpdateException;
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
  public void aFailedBatchIsNamedByItsReasonNotByItsStatement() {
    BatchUpdateException batch = new BatchUpdateException(
        "Batch entry 2 INSERT INTO staging.raw_users VALUES ('\\x7b2270617373776f7264223a...') was aborted", new int[0]);
    batch.setNextException(new SQLException("FATAL: terminating connection due to administrator command"));
    String message = IngestPipeline.rootMessage(new RuntimeException("bundle failed", batch));
    assertThat(message, startsWith("PostgreSQL: FATAL: terminating connection due to administrator command"));
    assertThat(message, not(containsString("INSERT")));
  }

  @Test
  public void aPageFailureKeepsItsOwnMessage() {
    RuntimeException wrapped = new RuntimeException("bundle failed", new PageFetchException("page 3 failed 5 times"));
    assertThat(IngestPipeline.rootMessage(wrapped), startsWith("page 3 failed"));
  }
}
