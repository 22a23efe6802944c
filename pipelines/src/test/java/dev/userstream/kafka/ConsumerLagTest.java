package dev.userstream.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.Test;

/** A partition's lag from its offsets (the Admin calls around it run against the stack's Kafka in the ITs). */
public class ConsumerLagTest {
  @Test
  public void committedPartitionsLagByWhatFollowsTheirOffset() {
    assertThat(ConsumerLag.ofPartition(new OffsetAndMetadata(40), 0, 100), equalTo(60L));
    assertThat(ConsumerLag.ofPartition(new OffsetAndMetadata(100), 0, 100), equalTo(0L));
  }

  @Test
  public void aPartitionNeverCommittedLagsByTheRecordsItStillHolds() {
    assertThat(ConsumerLag.ofPartition(null, 0, 100), equalTo(100L));
    assertThat(ConsumerLag.ofPartition(null, 30, 100), equalTo(70L));
  }

  @Test
  public void lagIsNeverNegative() {
    // An offset committed past the end (a topic recreated under the group) is not a negative lag.
    assertThat(ConsumerLag.ofPartition(new OffsetAndMetadata(150), 0, 100), equalTo(0L));
  }
}
