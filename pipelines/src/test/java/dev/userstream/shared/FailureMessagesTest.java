package dev.userstream.shared;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.userstream.schema.SchemaRegistryException;
import java.net.UnknownHostException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class FailureMessagesTest {
  @Test
  public void aRefusedOptionIsQuotedAsWorded() {
    assertThat(FailureMessages.innermost(new IllegalArgumentException("--cassandraHosts must be set")),
        equalTo("--cassandraHosts must be set"));
  }

  @Test
  public void theInnermostCauseSpeaksWithItsClassWhenItIsNotOurs() {
    Throwable wrapped = new RuntimeException("org.apache.spark.SparkException: Job aborted",
        new IllegalStateException("bundle failed", new UnknownHostException("kafka.internal")));
    assertThat(FailureMessages.innermost(wrapped), equalTo("UnknownHostException: kafka.internal"));
  }

  @Test
  public void oursSpeakAlone() {
    Throwable wrapped = new RuntimeException("wrapper", new SchemaRegistryException("no subject users.raw-value at http://r"));
    assertThat(FailureMessages.innermost(wrapped), equalTo("no subject users.raw-value at http://r"));
  }

  @Test
  public void aCauseWithoutMessageIsNamed() {
    assertThat(FailureMessages.innermost(new RuntimeException("x", new NullPointerException())),
        equalTo("java.lang.NullPointerException"));
  }
}
